import { reservations, type ReservationRegistry } from './reservations';

/** One msg's share of a confirmation. */
export interface Share<T> {
    item: T;
    /** Its rows; `all` = the whole reservation. */
    rows: readonly string[] | 'all';
    /** How many parts the reservation was split into (msg.parts.count), if known. */
    partCount?: number;
}

export type Flush<T> = (processId: string, rows: string[] | 'all', items: T[]) => Promise<void>;

interface Group<T> {
    rows: Set<string>;
    whole: boolean;
    items: T[];
    partCount?: number;
    timer: NodeJS.Timeout;
}

/**
 * Gathers the per-event msgs of one reservation into one confirmation call (issue 4:
 * "split mode costs the same number of REST calls as batch mode"). A group goes out when the
 * whole reservation is covered (what the get node's ledger still awaits, or `parts.count`
 * msgs), when a msg confirms the whole reservation, or `windowMs` after its first msg.
 */
export class Coalescer<T> {
    private readonly groups = new Map<string, Group<T>>();
    private readonly onProgress = (processId: string) => this.flushIfComplete(processId);

    constructor(
        private readonly windowMs: number,
        private readonly flush: Flush<T>,
        private readonly registry: ReservationRegistry = reservations,
    ) {
        registry.on('progress', this.onProgress);
    }

    add(processId: string, share: Share<T>): void {
        let group = this.groups.get(processId);
        if (!group) {
            group = {
                rows: new Set(),
                whole: false,
                items: [],
                timer: setTimeout(() => this.release(processId), this.windowMs),
            };
            this.groups.set(processId, group);
        }
        group.items.push(share.item);
        if (share.rows === 'all') group.whole = true;
        else for (const id of share.rows) group.rows.add(id);
        if (share.partCount !== undefined) group.partCount = share.partCount;
        this.flushIfComplete(processId);
    }

    /** Sends every open group now (node close). */
    close(): void {
        this.registry.off('progress', this.onProgress);
        for (const processId of [...this.groups.keys()]) this.release(processId);
    }

    private flushIfComplete(processId: string): void {
        const group = this.groups.get(processId);
        if (!group) return;
        const awaited = this.registry.ownerOf(processId)?.remaining(processId);
        const complete =
            group.whole ||
            (awaited !== undefined
                ? awaited.every((id) => group.rows.has(id))
                : group.partCount !== undefined && group.items.length >= group.partCount);
        if (complete) this.release(processId);
    }

    private release(processId: string): void {
        const group = this.groups.get(processId);
        if (!group) return;
        this.groups.delete(processId);
        clearTimeout(group.timer);
        void this.flush(processId, group.whole ? 'all' : [...group.rows], group.items);
    }
}
