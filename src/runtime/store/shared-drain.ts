import type { LedgerEntry } from '../offline/ledger';
import type { ReadGate } from '../offline/reader';
import type { Coordination } from './coordination';
import { DrainLease } from './drain-lease';
import { SharedLedgers } from './shared-ledgers';

export interface SharedDrainHooks {
    /** Read the queue now (this instance holds the lease). */
    drain(): void;
    /** Redeliver reservations a dead instance left open. */
    adopt(entries: LedgerEntry[]): Promise<void>;
    /** The lease or the store changed: what the badge shows. */
    changed(): void;
    /** The store is back (perhaps empty after a restart): write this instance's ledger again. */
    storeBack(): void;
    warn(err: unknown): void;
}

/**
 * One get node's part in "one drainer per portal" (design "Several Node-RED instances"): it
 * reads only under the lease; an input that reaches an instance without it wakes the owner
 * instead; on taking the lease it delivers again what dead instances left reserved.
 */
export class SharedDrain implements ReadGate {
    readonly ledgers: SharedLedgers;
    private readonly lease: DrainLease;
    private stopWake: (() => void) | undefined;
    private readonly onState = (): void => {
        this.hooks.changed();
        if (this.store.available) this.hooks.storeBack();
    };

    constructor(
        private readonly store: Coordination,
        nodeId: string,
        readonly resource: string,
        private readonly hooks: SharedDrainHooks,
    ) {
        this.ledgers = new SharedLedgers(store.documents, nodeId, store.instance, () => store.whenUp(5000));
        this.lease = new DrainLease(store, resource, (err) => hooks.warn(err));
    }

    get open(): boolean {
        return this.lease.held;
    }

    get storeAvailable(): boolean {
        return this.store.available;
    }

    start(): void {
        this.lease.on('change', (held) => {
            this.hooks.changed();
            if (held) void this.takeOver();
        });
        this.store.on('state', this.onState);
        this.stopWake = this.store.onWake(this.resource, () => {
            if (this.open) this.hooks.drain();
        });
        this.lease.start();
        // The badge from the start: a store that never came up sends no state event.
        this.hooks.changed();
    }

    async heldElsewhere(): Promise<ReadonlySet<string>> {
        return this.ledgers.heldByOthers(await this.store.instances());
    }

    /** An input (a ring, a poll, an inject): read here when this instance drains, else wake the owner. */
    async request(): Promise<'here' | 'woken'> {
        if (this.open) return 'here';
        // Store down: no owner can be reached; the owner drains by itself once it is back.
        await this.store.wake(this.resource).catch(() => undefined);
        return 'woken';
    }

    async close(): Promise<void> {
        this.stopWake?.();
        this.ledgers.close();
        this.store.off('state', this.onState);
        await this.lease.close();
    }

    private async takeOver(): Promise<void> {
        try {
            const entries = await this.ledgers.takeOverDead(await this.store.instances());
            if (entries.length > 0) await this.hooks.adopt(entries);
        } catch (err) {
            this.hooks.warn(err);
        }
        if (this.open) this.hooks.drain();
    }
}
