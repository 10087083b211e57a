import type { Node, NodeAPI } from 'node-red';

import type { StoreCoordination } from '../../runtime/store/store-coordination';

export const STORE_TYPE = 'bitrix24-store';

export interface StoreCredentials {
    password?: string;
}

/** The `bitrix24-store` config node as the portal node and the admin route see it. */
export interface StoreNode extends Node<StoreCredentials> {
    /** Undefined when the settings were refused (the error is logged once). */
    coordination: StoreCoordination | undefined;
}

/** The store of a portal node's `store` property, when one is deployed and its settings were taken. */
export function coordinationOf(RED: NodeAPI, storeId: unknown): StoreCoordination | undefined {
    const node =
        typeof storeId === 'string' && storeId ? (RED.nodes.getNode(storeId) as StoreNode | null) : null;
    return node?.type === STORE_TYPE ? node.coordination : undefined;
}

/** The store's badge text on a flow node: the store node's catalog key (the editor translates it). */
export function storeStatus(key: 'unreachable' | 'standby'): string {
    return `@b24sync/node-red-bitrix24/${STORE_TYPE}:${STORE_TYPE}.status.${key}`;
}
