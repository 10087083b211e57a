import type { NodeAPI } from 'node-red';

import { confirmNodeConstructor } from './shared/confirm-node';

/** Confirms processed events with `event.offline.clear` (docs/bitrix24.md §2). */
export = function (RED: NodeAPI): void {
    RED.nodes.registerType('bitrix24-offline-clear', confirmNodeConstructor(RED, 'clear'));
};
