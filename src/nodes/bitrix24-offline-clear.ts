import type { NodeAPI } from 'node-red';

import { registerConfirmNode } from './shared/confirm-node';

/** Confirms processed events with `event.offline.clear` (docs/bitrix24.md §2). */
export = function (RED: NodeAPI): void {
    registerConfirmNode(RED, 'clear');
};
