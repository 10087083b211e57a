import type { NodeAPI } from 'node-red';

import { confirmNodeConstructor } from './shared/confirm-node';

/** Moves failed events into the error sub-queue with `event.offline.error` (docs/bitrix24.md §3). */
export = function (RED: NodeAPI): void {
    RED.nodes.registerType('bitrix24-offline-error', confirmNodeConstructor(RED, 'error'));
};
