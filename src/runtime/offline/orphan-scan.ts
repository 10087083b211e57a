import type { OfflineQueue } from '../../bitrix24';
import type { ReservationRegistry } from './reservations';

export interface OrphanScanSettings {
    errorQueue: boolean;
    authConnector?: string;
}

/**
 * Finds reservations of this app and connector that no get node of this runtime knows (issue 4):
 * a process died, or a redeploy closed a node, or a get's answer was lost, between the portal's
 * reservation and the ledger. At start-up every such reservation is an orphan; later, one is
 * taken only when a second scan still finds it unowned, so that a get answer on its way to
 * another node is left alone.
 */
export class OrphanScan {
    /** Whether a scan has gone through: a reader's first read waits for one. */
    checked = false;
    /** Unowned reservations seen by the last scan; a second sighting makes them orphans. */
    private suspects = new Set<string>();
    private lastScan = 0;
    /** A get of ours may have reserved rows nobody will clear: look again soon. */
    private suspected = false;

    constructor(
        private readonly settings: OrphanScanSettings,
        private readonly registry: ReservationRegistry,
        private readonly now: () => number,
    ) {}

    /** A get failed in a way that may have reserved rows anyway (its answer was lost). */
    suspectLostAnswer(): void {
        this.suspected = true;
    }

    /** Whether a periodic scan is due: after `everyMs`, or at once on a suspicion. */
    due(everyMs: number): boolean {
        return this.suspected || this.now() - this.lastScan >= everyMs;
    }

    /** The orphans to take now, each with its MESSAGE_IDs; with `confirmTwice` only those seen before. */
    async scan(
        queue: OfflineQueue,
        options: { confirmTwice?: boolean } = {},
    ): Promise<Map<string, string[]>> {
        this.lastScan = this.now();
        const rows = await queue.listAll({
            // A non-empty PROCESS_ID compares greater than the empty string (docs/bitrix24.md §4).
            filter: { '>PROCESS_ID': '', ERROR: this.settings.errorQueue ? '1' : '0' },
            authConnector: this.settings.authConnector,
        });
        this.checked = true;
        const unowned = new Map<string, string[]>();
        for (const row of rows) {
            if (!row.PROCESS_ID || this.registry.ownerOf(row.PROCESS_ID)) continue;
            unowned.set(row.PROCESS_ID, [...(unowned.get(row.PROCESS_ID) ?? []), row.MESSAGE_ID]);
        }
        const seenBefore = this.suspects;
        this.suspects = new Set(unowned.keys());
        // Suspects are looked at again at the next tick, to confirm or clear the suspicion.
        this.suspected = this.suspects.size > 0 && options.confirmTwice === true;
        if (!options.confirmTwice) return unowned;
        return new Map([...unowned].filter(([processId]) => seenBefore.has(processId)));
    }
}
