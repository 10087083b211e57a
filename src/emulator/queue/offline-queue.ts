// The offline event queue (b_rest_event_offline) with the semantics of docs/bitrix24.md §1-§4, kept in
// memory with indexes per (app, connector): unreserved rows sorted by (TIMESTAMP_X, ID) per ERROR
// value, reserved rows grouped by process id, and every row by MESSAGE_ID. All operations are
// synchronous, so two `get` calls can never pick the same row.
import { messageIdOf } from './message-id';
import { compareTimestampThenId, type OfflineRow } from './offline-row';
import { SortedRows } from './sorted-rows';

export type RowFilter = (row: OfflineRow) => boolean;
export type RowOrder = (a: OfflineRow, b: OfflineRow) => number;

/** One sub-queue of `get`: the rows of one app and connector with one ERROR value. */
export interface SubQueue {
    appId: number;
    connector: string;
    error: 0 | 1;
}

/** Which rows a read picks: those passing `filter`, in `order`, at most `limit` of them. */
export interface RowSelection {
    filter: RowFilter;
    order: RowOrder;
    limit: number;
}

/** Sentinel for "ORDER BY TIMESTAMP_X ASC" (the default of `get`): served from the sorted index. */
export const ORDER_BY_TIMESTAMP: RowOrder = compareTimestampThenId;

export interface OfflineWrite {
    appId: number;
    connector: string;
    eventName: string;
    eventData: unknown;
    eventAdditional: Record<string, unknown>;
}

export interface QueueGauges {
    rows: number;
    unreserved: number;
    reserved: number;
    errored: number;
}

/** Reservations are purged after PROCESS_ID_LIFETIME = 2952000 s of no change (docs/bitrix24.md §1). */
export const PROCESS_ID_LIFETIME = 2952000;

class Slot {
    /** Every row of this app and connector, in ID order. */
    readonly all = new Map<number, OfflineRow>();
    /** Unreserved rows, index 0 for ERROR=0 and 1 for ERROR=1. */
    readonly pools: [SortedRows, SortedRows] = [new SortedRows(), new SortedRows()];
    readonly byMessage = new Map<string, OfflineRow[]>();
    readonly processes = new Map<string, Map<number, OfflineRow>>();
}

export class OfflineQueue {
    private readonly slots = new Map<string, Slot>();
    private nextId = 1;

    /** The upsert of EventOfflineTable::callEvent: refresh TIMESTAMP_X, EVENT_DATA and
     * EVENT_ADDITIONAL of the unreserved row with this MESSAGE_ID, keeping ID and ERROR;
     * otherwise insert. Reserved rows are not part of that key (docs/bitrix24.md §1). */
    write(event: OfflineWrite, nowSeconds: number): 'inserted' | 'merged' {
        const slot = this.slot(event.appId, event.connector, true);
        const messageId = messageIdOf(event.eventName, event.eventData);
        const existing = slot.byMessage.get(messageId)?.find((row) => row.processId === '');
        if (existing) {
            const pool = slot.pools[existing.error];
            pool.remove(existing);
            existing.ts = nowSeconds;
            existing.eventData = event.eventData;
            existing.eventAdditional = event.eventAdditional;
            pool.insert(existing);
            return 'merged';
        }
        const row: OfflineRow = {
            id: this.nextId++,
            ts: nowSeconds,
            messageId,
            appId: event.appId,
            connector: event.connector,
            eventName: event.eventName,
            eventData: event.eventData,
            eventAdditional: event.eventAdditional,
            processId: '',
            error: 0,
        };
        slot.all.set(row.id, row);
        const sameMessage = slot.byMessage.get(messageId);
        if (sameMessage) sameMessage.push(row);
        else slot.byMessage.set(messageId, [row]);
        slot.pools[0].insert(row);
        return 'inserted';
    }

    /** markEvents: stamp up to `limit` unreserved rows of one sub-queue with `processId`. */
    reserve(sub: SubQueue, selection: RowSelection, processId: string): OfflineRow[] {
        const slot = this.slot(sub.appId, sub.connector, false);
        if (!slot) return [];
        const pool = slot.pools[sub.error];
        const picked = takeFromPool(pool, selection);
        if (picked.length === 0) return picked;
        const reservation = new Map<number, OfflineRow>();
        slot.processes.set(processId, reservation);
        for (const row of picked) {
            pool.remove(row);
            row.processId = processId;
            reservation.set(row.id, row);
        }
        return picked;
    }

    /** Rows carrying this PROCESS_ID ('' means the unreserved rows), as `get` with process_id reads them. */
    readProcess(sub: SubQueue, processId: string, selection: RowSelection): OfflineRow[] {
        const slot = this.slot(sub.appId, sub.connector, false);
        if (!slot) return [];
        if (processId === '') return takeFromPool(slot.pools[sub.error], selection);
        const rows = [...(slot.processes.get(processId)?.values() ?? [])].filter(
            (row) => row.error === sub.error,
        );
        return sortAndTake(rows, selection);
    }

    /** EventOfflineTable::clearEvents / clearEventsByMessageId: delete rows of a process, optionally
     * only those IDs or MESSAGE_IDs. Process id '' addresses the unreserved rows (per source). */
    clear(
        appId: number,
        connector: string,
        processId: string,
        only?: { ids?: readonly number[]; messageIds?: readonly string[] },
    ): number {
        const slot = this.slot(appId, connector, false);
        if (!slot) return 0;
        const ids = only?.ids ? new Set(only.ids) : undefined;
        const messageIds = only?.messageIds ? new Set(only.messageIds) : undefined;
        if (processId !== '' && !ids && !messageIds) {
            // The common case (a whole reservation): drop the process in one go.
            const reservation = slot.processes.get(processId);
            if (!reservation) return 0;
            slot.processes.delete(processId);
            for (const row of reservation.values()) this.forget(slot, row);
            return reservation.size;
        }
        let victims: OfflineRow[];
        if (processId === '') victims = [...slot.pools[0], ...slot.pools[1]];
        else victims = [...(slot.processes.get(processId)?.values() ?? [])];
        let deleted = 0;
        for (const row of victims) {
            if (ids && !ids.has(row.id)) continue;
            if (messageIds && !messageIds.has(row.messageId)) continue;
            this.delete(slot, row);
            deleted++;
        }
        return deleted;
    }

    /** EventOfflineTable::markError, step by step (docs/bitrix24.md §3):
     *  1. delete ERROR=0 rows of these MESSAGE_IDs that are not in this process (newer duplicates);
     *  2. set ERROR=1 and PROCESS_ID='' on this process's ERROR=0 rows of these MESSAGE_IDs.
     * Rows already at ERROR=1 are left as they are. Returns the number of rows moved to ERROR=1. */
    markError(appId: number, connector: string, processId: string, messageIds: readonly string[]): number {
        const slot = this.slot(appId, connector, false);
        if (!slot) return 0;
        let marked = 0;
        for (const messageId of new Set(messageIds)) {
            const rows = [...(slot.byMessage.get(messageId) ?? [])];
            for (const row of rows) {
                if (row.error === 0 && row.processId !== processId) this.delete(slot, row);
            }
            for (const row of rows) {
                if (row.error !== 0 || !slot.all.has(row.id)) continue;
                const clash = slot.byMessage
                    .get(messageId)
                    ?.find((other) => other !== row && other.processId === '');
                if (clash) {
                    // Unreachable through the API (step 1 removes every other ERROR=0 copy, and a
                    // write merges into an unreserved error row); MySQL would reject the UPDATE on
                    // the unique key. Fold into the existing error row rather than keep two.
                    this.delete(slot, row);
                    continue;
                }
                this.detach(slot, row);
                row.error = 1;
                row.processId = '';
                slot.pools[1].insert(row);
                marked++;
            }
        }
        return marked;
    }

    /** Rows of one app and connector for `event.offline.list`: all of them, any state. */
    list(appId: number, connector: string, filter: RowFilter, order: RowOrder | null): OfflineRow[] {
        const slot = this.slot(appId, connector, false);
        if (!slot) return [];
        const rows: OfflineRow[] = [];
        for (const row of slot.all.values()) if (filter(row)) rows.push(row);
        if (order) rows.sort(order);
        return rows;
    }

    /** The daily agent cleanProcessAgent: reserved rows whose TIMESTAMP_X is older than the lifetime. */
    purgeReservations(nowSeconds: number): number {
        const threshold = nowSeconds - PROCESS_ID_LIFETIME;
        let purged = 0;
        for (const slot of this.slots.values()) {
            for (const reservation of [...slot.processes.values()]) {
                for (const row of [...reservation.values()]) {
                    if (row.ts < threshold) {
                        this.delete(slot, row);
                        purged++;
                    }
                }
            }
        }
        return purged;
    }

    /** Every row, for the control API and tests. */
    allRows(): OfflineRow[] {
        const rows: OfflineRow[] = [];
        for (const slot of this.slots.values()) rows.push(...slot.all.values());
        return rows.sort((a, b) => a.id - b.id);
    }

    gauges(): QueueGauges {
        const gauges: QueueGauges = { rows: 0, unreserved: 0, reserved: 0, errored: 0 };
        for (const slot of this.slots.values()) {
            gauges.rows += slot.all.size;
            gauges.unreserved += slot.pools[0].size + slot.pools[1].size;
            gauges.errored += slot.pools[1].size;
            for (const reservation of slot.processes.values()) {
                gauges.reserved += reservation.size;
                for (const row of reservation.values()) if (row.error === 1) gauges.errored++;
            }
        }
        return gauges;
    }

    private slot(appId: number, connector: string, create: true): Slot;
    private slot(appId: number, connector: string, create: false): Slot | undefined;
    private slot(appId: number, connector: string, create: boolean): Slot | undefined {
        const key = `${appId}\u0000${connector}`;
        let slot = this.slots.get(key);
        if (!slot && create) {
            slot = new Slot();
            this.slots.set(key, slot);
        }
        return slot;
    }

    private detach(slot: Slot, row: OfflineRow): void {
        if (row.processId === '') {
            slot.pools[row.error].remove(row);
            return;
        }
        const reservation = slot.processes.get(row.processId);
        reservation?.delete(row.id);
        if (reservation?.size === 0) slot.processes.delete(row.processId);
    }

    private delete(slot: Slot, row: OfflineRow): void {
        this.detach(slot, row);
        this.forget(slot, row);
    }

    /** Drops the row from the ID and MESSAGE_ID indexes (the caller has detached it already). */
    private forget(slot: Slot, row: OfflineRow): void {
        slot.all.delete(row.id);
        const sameMessage = slot.byMessage.get(row.messageId);
        if (!sameMessage) return;
        if (sameMessage.length === 1) {
            if (sameMessage[0] === row) slot.byMessage.delete(row.messageId);
            return;
        }
        const index = sameMessage.indexOf(row);
        if (index >= 0) sameMessage.splice(index, 1);
    }
}

/** Up to `limit` matching unreserved rows: the default order straight from the sorted index. */
function takeFromPool(pool: SortedRows, selection: RowSelection): OfflineRow[] {
    return selection.order === ORDER_BY_TIMESTAMP
        ? pool.take(selection.limit, selection.filter)
        : sortAndTake([...pool], selection);
}

function sortAndTake(rows: OfflineRow[], { filter, order, limit }: RowSelection): OfflineRow[] {
    const matching = rows.filter(filter);
    matching.sort(order);
    return matching.slice(0, Math.max(0, limit));
}
