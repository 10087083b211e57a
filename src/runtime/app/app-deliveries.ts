import { EventEmitter } from 'node:events';

import type { PortalApp } from './portal-app';

/**
 * What the get nodes of a multi-portal application found, per installation, for its trigger
 * nodes: a read that found new rows puts that installation's poll back to its base interval.
 */
export class AppDeliveries extends EventEmitter<{ rowsFound: [string] }> {
    rowsFound(memberId: string): void {
        this.emit('rowsFound', memberId);
    }
}

const byApp = new WeakMap<PortalApp, AppDeliveries>();

/** The deliveries of one application (one per `bitrix24-portal` node in multi-portal mode). */
export function appDeliveries(app: PortalApp): AppDeliveries {
    let deliveries = byApp.get(app);
    if (!deliveries) {
        deliveries = new AppDeliveries();
        deliveries.setMaxListeners(0);
        byApp.set(app, deliveries);
    }
    return deliveries;
}
