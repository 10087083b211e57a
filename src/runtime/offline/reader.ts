import {
    isBitrix24Error,
    isTransient,
    type OfflineEvent,
    type OfflineQueue,
    type ReadMode,
} from '../../bitrix24';
import type { Ledger, LedgerEntry } from './ledger';
import { OrphanScan } from './orphan-scan';
import {
    reservations,
    type ReservationOwner,
    type ReservationRegistry,
    type RowSelection,
} from './reservations';

export interface ReadSettings {
    mode: ReadMode;
    errorQueue: boolean;
    limit: number;
    filter?: Record<string, unknown>;
    order?: Record<string, unknown>;
    authConnector?: string;
    /** Keep reading until a read comes back short. */
    drain: boolean;
    /** Reservations the flow may hold unconfirmed before the next read waits. */
    maxOpen: number;
    /** Emit an unconfirmed reservation again after this long; 0 = never. */
    redeliverAfterMs: number;
}

export interface EmittedReservation {
    processId: string | null;
    events: OfflineEvent[];
    /** 0 for a first delivery, then 1, 2, ... */
    redelivery: number;
}

export interface DrainSummary {
    reservations: number;
    events: number;
}

export type ReaderActivity =
    /** Not reading; the flow may still be confirming what the last pass read. */
    | { kind: 'idle'; read: number; confirmed: number }
    | { kind: 'reading'; read: number; confirmed: number }
    | { kind: 'waiting'; open: number };

export interface ReaderHooks {
    emit(reservation: EmittedReservation): void;
    /** A read came back short: the queue is empty (for this filter). */
    emptied(summary: DrainSummary): void;
    activity(activity: ReaderActivity): void;
    /** A failure outside any input (redelivery, orphan scan). */
    warn(err: unknown): void;
    /** With a shared store: whether this instance may reserve now (see ReadGate). */
    gate?: ReadGate;
}

/**
 * Several instances, one drainer (design "Several Node-RED instances"): new rows are read only
 * while `open` (this instance holds the portal's lease and the store answers); a reservation
 * another live instance holds is not an orphan.
 */
export interface ReadGate {
    readonly open: boolean;
    heldElsewhere(): Promise<ReadonlySet<string>>;
}

/** What one input asks for; absent fields use the node's settings. */
export interface PassRequest {
    limit?: number;
    filter?: Record<string, unknown>;
    order?: Record<string, unknown>;
    /** Re-read this reservation instead of reading new rows. */
    processId?: string;
}

interface QueuedPass {
    request: PassRequest;
    waiters: { resolve(): void; reject(err: unknown): void }[];
}

/**
 * The reading side of one offline-get node (issue 4): passes of `event.offline.get`, one at a
 * time (a start signal during a pass runs one more pass afterwards, never a parallel one), at
 * most `maxOpen` reservations unconfirmed, every reservation in the ledger before its events
 * leave, and redelivery of what the flow did not confirm: after `redeliverAfter`, after a
 * restart, and for orphans the portal holds but the ledger never saw.
 */
export class OfflineReader implements ReservationOwner {
    readonly loaded: Promise<void>;
    private started: Promise<void> | undefined;
    private readonly pending = new Map<string, Set<string>>();
    private running = false;
    /** Passes and re-reads under way; close waits for them, so that their reservations reach the ledger. */
    private readonly work = new Set<Promise<unknown>>();
    private queued: QueuedPass | undefined;
    private slotWaiters: (() => void)[] = [];
    private timer: NodeJS.Timeout | undefined;
    private readonly orphans: OrphanScan;
    private closed = false;
    private progress = { read: 0, confirmed: 0 };

    constructor(
        private readonly settings: ReadSettings,
        private readonly queue: () => Promise<OfflineQueue>,
        private readonly ledger: Ledger,
        private readonly hooks: ReaderHooks,
        private readonly registry: ReservationRegistry = reservations,
        private readonly now: () => number = Date.now,
    ) {
        this.orphans = new OrphanScan(settings, registry, now);
        this.loaded = ledger.load();
        registry.join(this);
    }

    private get reserving(): boolean {
        return this.settings.mode === 'reserve';
    }

    /** Redelivers what the ledger holds, looks for orphans once, then watches for overdue ones. */
    start(): Promise<void> {
        this.started ??= this.startup();
        return this.started;
    }

    /** One pass for an input; resolves when it (or the pass it joined) is over. */
    read(request: PassRequest = {}): Promise<void> {
        return new Promise((resolve, reject) => {
            if (this.running) {
                this.queued = { request, waiters: [...(this.queued?.waiters ?? []), { resolve, reject }] };
                return;
            }
            this.running = true;
            void this.runPasses({ request, waiters: [{ resolve, reject }] });
        });
    }

    /** Redelivers reservations another instance held and left behind (a lease takeover). */
    async adopt(entries: readonly LedgerEntry[]): Promise<void> {
        await this.start();
        for (const entry of entries) {
            if (this.closed) return;
            if (this.ledger.get(entry.processId)) continue;
            await this.reread(entry, entry.redelivery + 1).catch((err) => this.hooks.warn(err));
        }
    }

    async close(): Promise<void> {
        this.closed = true;
        clearInterval(this.timer);
        this.wake();
        for (const waiter of this.queued?.waiters ?? []) waiter.resolve();
        this.queued = undefined;
        await Promise.allSettled([...this.work]);
        this.registry.leave(this);
        await this.ledger.close();
    }

    // ReservationOwner: what clear and error nodes report.

    settling(processId: string, rows: RowSelection): void {
        const entry = this.ledger.get(processId);
        if (!entry) return;
        const pending = this.pending.get(processId) ?? new Set<string>();
        for (const id of rows === 'all' ? entry.messageIds : rows) pending.add(id);
        this.pending.set(processId, pending);
        this.wake();
    }

    settled(processId: string, rows: RowSelection): void {
        const entry = this.ledger.get(processId);
        if (!entry) return;
        const before = entry.confirmed.length;
        this.unpend(processId, rows === 'all' ? entry.messageIds : rows);
        const after = this.ledger.confirm(processId, rows);
        this.progress.confirmed += (after?.confirmed.length ?? before) - before;
        if (!this.ledger.get(processId)) {
            this.registry.release(processId);
            this.pending.delete(processId);
        }
        if (!this.running) this.hooks.activity({ kind: 'idle', ...this.progress });
        this.wake();
    }

    unsettled(processId: string, rows: RowSelection): void {
        const entry = this.ledger.get(processId);
        if (entry) this.unpend(processId, rows === 'all' ? entry.messageIds : rows);
        this.wake();
    }

    remaining(processId: string): string[] | undefined {
        const entry = this.ledger.get(processId);
        if (!entry) return undefined;
        const done = new Set([...entry.confirmed, ...(this.pending.get(processId) ?? [])]);
        return entry.messageIds.filter((id) => !done.has(id));
    }

    queueOf(processId: string): 'normal' | 'error' | undefined {
        return this.ledger.get(processId)?.queue;
    }

    private async startup(): Promise<void> {
        await this.loaded;
        if (!this.reserving) return;
        for (const entry of this.ledger.list()) this.registry.claim(entry.processId, this);
        await this.registry.allLoaded();
        for (const entry of this.ledger.list())
            await this.reread(entry, entry.redelivery + 1).catch((err) => this.hooks.warn(err));
        await this.findOrphans().catch((err) => this.hooks.warn(err));
        if (!this.closed) {
            const every = Math.max(250, Math.min((this.settings.redeliverAfterMs || 60_000) / 4, 15_000));
            this.timer = setInterval(() => void this.watch(), every);
        }
    }

    private async runPasses(first: QueuedPass): Promise<void> {
        let job: QueuedPass | undefined = first;
        while (job) {
            try {
                await this.track(this.pass(job.request));
                for (const waiter of job.waiters) waiter.resolve();
            } catch (err) {
                for (const waiter of job.waiters) waiter.reject(err);
            }
            job = this.closed ? undefined : this.queued;
            this.queued = undefined;
        }
        this.running = false;
        this.hooks.activity({ kind: 'idle', ...this.progress });
    }

    private async pass(request: PassRequest): Promise<void> {
        await this.start();
        if (this.closed) return;
        if (request.processId) {
            const entry = this.ledger.get(request.processId);
            await this.reread(entry ?? this.orphan(request.processId, []), (entry?.redelivery ?? 0) + 1);
            return;
        }
        if (this.hooks.gate && !this.hooks.gate.open) return;
        if (this.reserving && !this.orphans.checked) await this.findOrphans();
        const limit = request.limit ?? this.settings.limit;
        const summary: DrainSummary = { reservations: 0, events: 0 };
        this.progress = { read: 0, confirmed: 0 };
        for (;;) {
            // Every free slot gets its read; asked in the same moment, they share one request.
            const free = this.reserving ? await this.freeSlots() : 1;
            const reads = this.settings.drain ? free : 1;
            if (this.closed || (this.hooks.gate && !this.hooks.gate.open)) return;
            this.hooks.activity({ kind: 'reading', ...this.progress });
            const queue = await this.queue();
            const get = {
                mode: this.settings.mode,
                errorQueue: this.settings.errorQueue,
                limit,
                filter: request.filter ?? this.settings.filter,
                order: request.order ?? this.settings.order,
                authConnector: this.settings.authConnector,
            };
            const results = await Promise.all(Array.from({ length: reads }, () => queue.get(get))).catch(
                (err: unknown) => {
                    // A lost answer may have reserved rows nobody will clear (issue 7: no loss).
                    if (isBitrix24Error(err) && isTransient(err)) this.orphans.suspectLostAnswer();
                    throw err;
                },
            );
            const read = results.filter((r) => r.events.length > 0);
            // Into the ledger, in one write, even when closing: the next start delivers them.
            if (this.reserving) {
                await this.remember(
                    ...read.flatMap((r) => (r.processId ? [this.entry(r.processId, r.events, 0)] : [])),
                );
            }
            if (this.closed) return;
            for (const { processId, events } of read) {
                summary.reservations++;
                summary.events += events.length;
                this.progress.read += events.length;
                this.hooks.emit({ processId, events, redelivery: 0 });
            }
            if (results.some((r) => r.events.length < limit)) {
                this.hooks.emptied(summary);
                return;
            }
            if (!this.settings.drain) return;
        }
    }

    /** How many reservations may be opened now; waits while `maxOpen` have rows unconfirmed. */
    private async freeSlots(): Promise<number> {
        for (;;) {
            const open = this.ledger
                .list()
                .filter((e) => (this.remaining(e.processId)?.length ?? 0) > 0).length;
            if (open < this.settings.maxOpen || this.closed) return Math.max(1, this.settings.maxOpen - open);
            this.hooks.activity({ kind: 'waiting', open });
            await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
        }
    }

    private wake(): void {
        for (const resolve of this.slotWaiters.splice(0)) resolve();
    }

    /** Redelivers overdue reservations and, now and then, looks for orphans again. */
    private async watch(): Promise<void> {
        if (this.settings.redeliverAfterMs > 0) await this.redeliverOverdue();
        const scanEvery = Math.max(5_000, this.settings.redeliverAfterMs || 60_000);
        if (!this.closed && !this.running && this.orphans.due(scanEvery)) {
            await this.findOrphans({ confirmTwice: true }).catch((err) => this.hooks.warn(err));
        }
    }

    private async redeliverOverdue(): Promise<void> {
        const due = this.now() - this.settings.redeliverAfterMs;
        for (const entry of this.ledger.list()) {
            if (this.closed) return;
            if (entry.emittedAt > due || (this.pending.get(entry.processId)?.size ?? 0) > 0) continue;
            await this.reread(entry, entry.redelivery + 1).catch((err) => this.hooks.warn(err));
        }
    }

    /**
     * Re-reads a reservation with `process_id` and `clear: 0` (docs/bitrix24.md §1: leaving clear at
     * its default would delete the rows) and emits what is still in it. Confirmed rows are gone
     * from the portal and rows marked as errors have left it, so what comes back is what is left.
     */
    private reread(entry: LedgerEntry, redelivery: number): Promise<void> {
        return this.track(this.rereadNow(entry, redelivery));
    }

    private async rereadNow(entry: LedgerEntry, redelivery: number): Promise<void> {
        const queue = await this.queue();
        const { events } = await queue.get({
            mode: 'reserve',
            processId: entry.processId,
            errorQueue: entry.queue === 'error',
            limit: Math.max(entry.messageIds.length, this.settings.limit, 1),
            authConnector: this.settings.authConnector,
        });
        if (events.length === 0) {
            this.ledger.forget(entry.processId);
            this.registry.release(entry.processId);
            this.wake();
            return;
        }
        await this.remember(this.entry(entry.processId, events, redelivery));
        if (!this.closed) this.hooks.emit({ processId: entry.processId, events, redelivery });
    }

    private track<T>(promise: Promise<T>): Promise<T> {
        this.work.add(promise);
        void promise.finally(() => this.work.delete(promise)).catch(() => undefined);
        return promise;
    }

    /** Takes the reservations nobody in this runtime holds (see OrphanScan). */
    private async findOrphans(options: { confirmTwice?: boolean } = {}): Promise<void> {
        const gate = this.hooks.gate;
        if (gate && !gate.open) return;
        const orphans = await this.orphans.scan(await this.queue(), options);
        const elsewhere = gate ? await gate.heldElsewhere() : new Set<string>();
        for (const [processId, messageIds] of orphans) {
            if (this.closed) return;
            if (this.registry.ownerOf(processId) || elsewhere.has(processId)) continue;
            await this.reread(this.orphan(processId, messageIds), 1);
        }
    }

    private async remember(...entries: LedgerEntry[]): Promise<void> {
        for (const entry of entries) {
            this.pending.delete(entry.processId);
            this.registry.claim(entry.processId, this);
        }
        if (entries.length > 0) await this.ledger.record(...entries);
    }

    private entry(processId: string, events: OfflineEvent[], redelivery: number): LedgerEntry {
        return {
            processId,
            queue: this.settings.errorQueue ? 'error' : 'normal',
            messageIds: events.map((e) => e.MESSAGE_ID),
            confirmed: [],
            emittedAt: this.now(),
            redelivery,
        };
    }

    private orphan(processId: string, messageIds: string[]): LedgerEntry {
        return { ...this.entry(processId, [], 0), messageIds };
    }

    private unpend(processId: string, ids: readonly string[]): void {
        const pending = this.pending.get(processId);
        if (!pending) return;
        for (const id of ids) pending.delete(id);
        if (pending.size === 0) this.pending.delete(processId);
    }
}
