import type { NodeAPI } from 'node-red';

import { registerConfirmNode } from './shared/confirm-node';

/** Moves failed events into the error sub-queue with `event.offline.error` (docs/bitrix24.md §3). */
export = function (RED: NodeAPI): void {
    registerConfirmNode(RED, 'error');
};
