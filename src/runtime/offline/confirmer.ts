import { invalidArgument, type OfflineQueue } from '../../bitrix24';
import { Coalescer } from './coalescer';
import { reservations, type ReservationRegistry } from './reservations';

export type ConfirmKind = 'clear' | 'error';

/**
 * How long a confirmation may wait for other calls to share its request: the get it frees a
 * slot for, or the confirmations of other reservations (issue 8: fewest requests per event).
 */
const CONFIRM_LINGER_MS = 50;

interface Waiter {
    resolve(): void;
    reject(err: unknown): void;
}

export interface ConfirmSettings {
    kind: ConfirmKind;
    authConnector?: string;
    /** Gather the msgs of one reservation into one call. */
    coalesce: boolean;
    coalesceMs: number;
}

/**
 * Confirms rows of reservations: `event.offline.clear` (done) or `event.offline.error` (failed,
 * into the error sub-queue, docs/bitrix24.md §3), one call per reservation when coalescing, and tells
 * the get node's ledger before the call (its read slot frees, so the next get can share the
 * request) and after it (the rows are done, or due again).
 */
export class Confirmer {
    private readonly coalescer: Coalescer<Waiter> | undefined;
    /** Confirmations under way; close waits for them. */
    private readonly sending = new Set<Promise<void>>();

    constructor(
        private readonly settings: ConfirmSettings,
        private readonly queue: () => Promise<OfflineQueue>,
        private readonly registry: ReservationRegistry = reservations,
    ) {
        if (settings.coalesce) {
            this.coalescer = new Coalescer<Waiter>(
                settings.coalesceMs,
                (processId, rows, waiters) => this.track(this.send(processId, rows, waiters)),
                registry,
            );
        }
    }

    /** Resolves once the portal has confirmed these rows (`all` = the whole reservation). */
    confirm(processId: string, rows: readonly string[] | 'all', partCount?: number): Promise<void> {
        return new Promise((resolve, reject) => {
            const waiter = { resolve, reject };
            if (this.coalescer) this.coalescer.add(processId, { item: waiter, rows, partCount });
            else void this.track(this.send(processId, rows === 'all' ? 'all' : [...rows], [waiter]));
        });
    }

    /** Sends what the coalescing window holds now; resolves once every confirmation under way is over. */
    async close(): Promise<void> {
        this.coalescer?.close();
        await Promise.all(this.sending);
    }

    private track(sending: Promise<void>): Promise<void> {
        this.sending.add(sending);
        void sending.then(() => this.sending.delete(sending));
        return sending;
    }

    private async send(processId: string, rows: string[] | 'all', waiters: Waiter[]): Promise<void> {
        const owner = this.registry.ownerOf(processId);
        if (this.settings.kind === 'error' && owner?.queueOf(processId) === 'error') {
            // Marking a row that is already an error row does nothing (docs/bitrix24.md §3): leave the
            // reservation open, so that the get node delivers it again after redeliverAfter.
            for (const waiter of waiters) waiter.resolve();
            return;
        }
        // event.offline.error needs the MESSAGE_IDs (docs/bitrix24.md §3); the ledger knows them.
        const ids = rows === 'all' && this.settings.kind === 'error' ? owner?.remaining(processId) : rows;
        if (ids === undefined) {
            for (const waiter of waiters) waiter.reject(missingIds());
            return;
        }
        if (ids !== 'all' && ids.length === 0) {
            for (const waiter of waiters) waiter.resolve();
            return;
        }
        this.registry.settling(processId, rows);
        try {
            const queue = await this.queue();
            const request = {
                processId,
                authConnector: this.settings.authConnector,
                lingerMs: CONFIRM_LINGER_MS,
            };
            if (this.settings.kind === 'clear') {
                await queue.clear(ids === 'all' ? request : { ...request, messageIds: ids });
            } else {
                await queue.error({ ...request, messageIds: ids as string[] });
            }
        } catch (err) {
            this.registry.unsettled(processId, rows);
            for (const waiter of waiters) waiter.reject(err);
            return;
        }
        this.registry.settled(processId, rows);
        for (const waiter of waiters) waiter.resolve();
    }
}

function missingIds() {
    return invalidArgument(
        'message_id',
        'error-needs-ids',
        'event.offline.error needs the MESSAGE_IDs of the failed events: pass msg.message_id, or the events in msg.payload',
    );
}
