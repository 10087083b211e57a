import { isBitrix24Error, LocalCode } from '../../bitrix24';
import { documentName, type DocumentStore, type JsonDocument } from '../../bitrix24/internal';
import type { LedgerEntry, LedgerFile } from '../offline/ledger';

/**
 * The ledgers of one get node across instances, in the shared store: one document per instance
 * (`ledger-<node>-<instance>.json`), so instances never overwrite each other's. What a live
 * instance holds is its own; what a dead one held is taken over by the lease's new owner.
 */
export class SharedLedgers {
    private closed = false;

    constructor(
        private readonly documents: DocumentStore,
        private readonly nodeId: string,
        private readonly instance: string,
        /** Resolves when the store is up (or after a while). */
        private readonly whenUp: () => Promise<void>,
    ) {}

    /**
     * This instance's ledger document. Its first read waits for the store: a get node deployed
     * while Redis is away starts once it is back, instead of failing for good.
     */
    own(): JsonDocument<LedgerFile> {
        const document = this.documents.document<LedgerFile>(this.name(this.instance));
        return {
            read: async () => {
                for (;;) {
                    await this.whenUp();
                    try {
                        return await document.read();
                    } catch (err) {
                        if (this.closed || !isBitrix24Error(err) || err.code !== LocalCode.StoreUnreachable)
                            throw err;
                    }
                    await new Promise((resolve) => setTimeout(resolve, 1000).unref());
                }
            },
            write: (value) => document.write(value),
            remove: () => document.remove(),
        };
    }

    close(): void {
        this.closed = true;
    }

    /** The reservations other live instances hold: not orphans. */
    async heldByOthers(live: readonly string[]): Promise<Set<string>> {
        const held = new Set<string>();
        for (const instance of live) {
            if (instance === this.instance) continue;
            const file = await this.documents.document<LedgerFile>(this.name(instance)).read();
            for (const entry of file?.entries ?? []) held.add(entry.processId);
        }
        return held;
    }

    /**
     * The open reservations of instances that are gone, removed from the store: the caller
     * redelivers them and keeps them in its own ledger.
     */
    async takeOverDead(live: readonly string[]): Promise<LedgerEntry[]> {
        const liveNames = new Set([this.instance, ...live].map((instance) => this.name(instance)));
        const taken: LedgerEntry[] = [];
        for (const name of await this.documents.names(`${this.prefix()}`)) {
            if (liveNames.has(name)) continue;
            const document = this.documents.document<LedgerFile>(name);
            const file = await document.read();
            taken.push(...(file?.entries ?? []));
            await document.remove();
        }
        return taken;
    }

    private prefix(): string {
        return `ledger-${this.nodeId}-`;
    }

    private name(instance: string): string {
        return documentName(`${this.prefix()}${instance}.json`);
    }
}
