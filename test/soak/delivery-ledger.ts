import type { LastChange } from './changes';
import type { Delivery } from './sink';

/** The sink's view of what arrived, and the exact check of every (object, last change) pair. */
export class DeliveryLedger {
    deliveries = 0;
    /** Deliveries of an (object, state) the sink had already accepted. */
    duplicates = 0;
    /** Deliveries of a queue row version (ID, MESSAGE_ID, TIMESTAMP_X) already accepted. */
    rowRedeliveries = 0;
    redelivered = 0;
    private readonly states = new Map<number, Set<string>>();
    private readonly rows = new Set<string>();

    record(delivery: Delivery): void {
        this.deliveries++;
        if (delivery.redelivery > 0) this.redelivered++;
        const state = delivery.deleted ? '\u0000deleted' : (delivery.title ?? '');
        const seen = this.states.get(delivery.objectId) ?? new Set<string>();
        if (seen.has(state)) this.duplicates++;
        seen.add(state);
        this.states.set(delivery.objectId, seen);
        const row = `${delivery.rowId}|${delivery.messageId}|${delivery.timestamp}`;
        if (this.rows.has(row)) this.rowRedeliveries++;
        this.rows.add(row);
    }

    /** Objects whose last change never reached the sink. */
    lost(last: Map<number, LastChange>): number[] {
        const lost: number[] = [];
        for (const [id, change] of last) {
            const state = change.deleted ? '\u0000deleted' : (change.title ?? '');
            if (!this.states.get(id)?.has(state)) lost.push(id);
        }
        return lost;
    }
}
