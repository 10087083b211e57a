import type { JsonDocument } from '../../bitrix24/internal';

/** A reservation a get node emitted and the flow has not yet fully confirmed. */
export interface LedgerEntry {
    processId: string;
    queue: 'normal' | 'error';
    /** Every MESSAGE_ID the reservation held when it was (last) emitted. */
    messageIds: string[];
    /** Cleared or marked as error by the flow. */
    confirmed: string[];
    /** Unix ms of the last emission. */
    emittedAt: number;
    /** How often it was emitted again. */
    redelivery: number;
}

export interface LedgerFile {
    version: 1;
    entries: LedgerEntry[];
}

/**
 * The reservations one get node has emitted and not seen confirmed, kept in a file of the
 * Node-RED user directory (issue 4: redelivery after `redeliverAfter` and after a restart).
 * A new reservation is on disk before its events are sent; a confirmation may be written a
 * moment later, since re-reading a cleared reservation finds nothing and costs nothing more.
 */
export class Ledger {
    private readonly entries = new Map<string, LedgerEntry>();
    private writing: Promise<void> = Promise.resolve();
    private dirty = false;
    private flushTimer: NodeJS.Timeout | undefined;
    private closed = false;

    /**
     * Without a document (delete mode, or no user directory) the ledger lives in memory only.
     * `flushMs`: how long confirmations gather before one write (a shared store wants fewer).
     */
    constructor(
        private readonly document?: JsonDocument<LedgerFile>,
        private readonly flushMs = 200,
    ) {}

    async load(): Promise<void> {
        const content = await this.document?.read();
        if (content === undefined) return;
        for (const entry of content.entries ?? []) this.entries.set(entry.processId, entry);
    }

    get size(): number {
        return this.entries.size;
    }

    get(processId: string): LedgerEntry | undefined {
        return this.entries.get(processId);
    }

    list(): LedgerEntry[] {
        return [...this.entries.values()];
    }

    /** Records emissions; resolves once they are on disk (one write for all of them). */
    async record(...entries: LedgerEntry[]): Promise<void> {
        for (const entry of entries) this.entries.set(entry.processId, entry);
        await this.persist();
    }

    /** Marks rows as done; the entry goes once nothing of it is left. */
    confirm(processId: string, messageIds: readonly string[] | 'all'): LedgerEntry | undefined {
        const entry = this.entries.get(processId);
        if (!entry) return undefined;
        if (messageIds === 'all') {
            entry.confirmed = [...entry.messageIds];
        } else {
            const done = new Set([...entry.confirmed, ...messageIds]);
            entry.confirmed = entry.messageIds.filter((id) => done.has(id));
        }
        if (entry.confirmed.length >= entry.messageIds.length) this.entries.delete(processId);
        this.persistSoon();
        return entry;
    }

    forget(processId: string): void {
        if (this.entries.delete(processId)) this.persistSoon();
    }

    /** Writes what is pending and stops the timer (node close). */
    async close(): Promise<void> {
        this.closed = true;
        clearTimeout(this.flushTimer);
        this.flushTimer = undefined;
        if (this.dirty) await this.persist();
        await this.writing;
    }

    private persistSoon(delayMs = this.flushMs): void {
        this.dirty = true;
        this.flushTimer ??= setTimeout(() => {
            this.flushTimer = undefined;
            // A store that cannot be reached (a shared one, down): the update waits here, then goes.
            void this.persist().catch(() => {
                if (!this.closed) this.persistSoon(1000);
            });
        }, delayMs);
    }

    /** Writes one after another, each with the state of its moment. */
    private persist(): Promise<void> {
        const document = this.document;
        if (!document) return Promise.resolve();
        this.writing = this.writing
            .catch(() => undefined)
            .then(() => {
                this.dirty = false;
                return document.write({ version: 1, entries: this.list() });
            });
        return this.writing;
    }
}
