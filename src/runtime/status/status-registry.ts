import { EventEmitter } from 'node:events';

import { PortalStatus } from './portal-status';
import type { DescribeError, RowIdentity, StatusRowView, StatusSnapshot, StatusSource } from './status-types';

/** The queue figures are read at most this often per portal (issue 15: one request a minute). */
export const QUEUE_INTERVAL_MS = 60_000;
/** A look (the status fetched, the sidebar open) keeps the figures fresh this long. */
const LOOK_MS = 90_000;
/** While someone looks: how often rows are checked for a due read and changes are told. */
const TICK_MS = 2_000;
/** Removed rows are remembered this long, so that live updates can tell the editor. */
const REMOVED_KEPT = 10_000;

/**
 * Every portal connection of this runtime, one row each (and one per installation of an
 * application on many portals). Rows cost nothing while nobody looks; queue figures are read
 * only while someone does (`look`), at most once per interval per portal.
 */
export class StatusRegistry extends EventEmitter<{ tick: [] }> {
    private readonly rows = new Map<StatusSource, PortalStatus>();
    private readonly removed: { key: string; version: number }[] = [];
    private versionCounter = 0;
    private lookingUntil = 0;
    private ticker: NodeJS.Timeout | undefined;
    private intervalMs = QUEUE_INTERVAL_MS;

    /** A connection shows up; `installation` for one of an application on many portals. */
    add(source: StatusSource, installation?: { nodeId: string; memberId: string }): void {
        if (this.rows.has(source)) return;
        const identity: RowIdentity = { nodeId: source.settings.id, domain: domainOf(source) };
        if (installation) Object.assign(identity, installation);
        const row = new PortalStatus(
            source,
            identity,
            (changed) => (changed.version = ++this.versionCounter),
        );
        row.version = ++this.versionCounter;
        this.rows.set(source, row);
    }

    remove(source: StatusSource): void {
        const row = this.rows.get(source);
        if (!row) return;
        row.detach();
        this.rows.delete(source);
        this.removed.push({ key: row.key, version: ++this.versionCounter });
        if (this.removed.length > REMOVED_KEPT) this.removed.splice(0, this.removed.length - REMOVED_KEPT);
    }

    /** The row of a connection, e.g. to hand it queue figures a list node read anyway. */
    row(source: StatusSource): PortalStatus | undefined {
        return this.rows.get(source);
    }

    get size(): number {
        return this.rows.size;
    }

    get version(): number {
        return this.versionCounter;
    }

    /** How often queue figures may be read; tests and demos shorten it (settings.bitrix24Status). */
    set queueIntervalMs(ms: number) {
        this.intervalMs = Math.max(1_000, ms);
    }

    get queueIntervalMs(): number {
        return this.intervalMs;
    }

    /** Someone looks: queue figures are kept fresh for a while, starting now. */
    look(now = Date.now()): void {
        this.lookingUntil = now + LOOK_MS;
        this.readDue(now);
        if (!this.ticker) {
            this.ticker = setInterval(() => this.tick(), TICK_MS);
            this.ticker.unref();
        }
    }

    get looking(): boolean {
        return Date.now() < this.lookingUntil;
    }

    snapshot(describe: DescribeError, now = Date.now()): StatusSnapshot {
        const rows = [...this.rows.values()].map((row) => row.view(describe, now));
        return { at: now, queueIntervalSeconds: this.intervalMs / 1000, rows };
    }

    /** The rows changed after `version`, and the keys of rows removed since. */
    changesSince(
        version: number,
        describe: DescribeError,
        now = Date.now(),
    ): { rows: StatusRowView[]; removed: string[] } {
        const rows = [...this.rows.values()]
            .filter((row) => row.version > version)
            .map((row) => row.view(describe, now));
        const removed = this.removed.filter((entry) => entry.version > version).map((entry) => entry.key);
        return { rows, removed };
    }

    /** Waits for the queue reads under way (tests, benchmarks). */
    async settled(): Promise<void> {
        const reads = [...this.rows.values()].map((row) => row.reading).filter((read) => read !== undefined);
        await Promise.all(reads);
    }

    private tick(): void {
        if (!this.looking) {
            clearInterval(this.ticker);
            this.ticker = undefined;
            return;
        }
        this.readDue(Date.now());
        this.emit('tick');
    }

    private readDue(now: number): void {
        for (const row of this.rows.values()) void row.readQueueEvery(this.intervalMs, now);
    }
}

/** The portal's host; a portal URL that is no URL (a configuration error the row shows) as written. */
function domainOf(source: StatusSource): string {
    try {
        return source.host;
    } catch {
        return source.settings.portalUrl;
    }
}

/** The registry of this runtime: every PortalConnection registers itself here. */
export const statusRegistry = new StatusRegistry();
