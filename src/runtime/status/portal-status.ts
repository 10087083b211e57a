import {
    OfflineQueue,
    type Bitrix24Client,
    type Bitrix24Error,
    type RequestOutcome,
    type ThrottleEvent,
} from '../../bitrix24';
import { HourCounter, HourSamples } from './hour-window';
import type { DescribeError, RowIdentity, RowState, StatusRowView, StatusSource } from './status-types';

/** Codes with which the portal refuses the application itself (docs/bitrix24.md §0.4, §7, §15.7). */
const BLOCKING = new Set(['PAYMENT_REQUIRED', 'ERROR_OAUTH', 'PORTAL_DELETED', 'WRONG_LICENSE']);
/** Codes that only say "wait": the row is throttled, not failed. */
const WAITING = new Set(['QUERY_LIMIT_EXCEEDED', 'OPERATION_TIME_LIMIT']);
/** A throttle this recent still marks the row. */
const THROTTLE_SHOWN_MS = 15_000;

interface QueueFigures {
    backlog: number;
    reserved: number;
    errors: number;
    oldestAgeSeconds: number | null;
    at: number;
}

/**
 * The figures of one connection: what its requests answered (pushed by its client), and the
 * queue's figures (read on demand, at most once per interval, at the limiter's lowest priority).
 */
export class PortalStatus {
    readonly key: string;
    version = 0;
    private readonly requests = new HourCounter();
    private readonly status503 = new HourCounter();
    private readonly status429 = new HourCounter();
    private readonly refreshes = new HourCounter();
    private readonly backlog = new HourSamples();
    private readonly totals = new Map<string, number>();
    private refreshCount = 0;
    private lastError: { error: Bitrix24Error; at: number } | undefined;
    /** The last request failed with this code; cleared by a success. */
    private failing: string | undefined;
    private throttledAt = 0;
    private queue: QueueFigures | undefined;
    private queueError: unknown;
    private lastRead = 0;
    reading: Promise<void> | undefined;
    private client: Bitrix24Client | undefined;
    private readonly onRequest = (outcome: RequestOutcome) => this.request(outcome);
    private readonly onThrottled = (event: ThrottleEvent) => {
        if (event.waitMs >= 250) this.throttledAt = Date.now();
        this.touch();
    };
    private readonly onState = () => this.touch();

    constructor(
        readonly source: StatusSource,
        readonly identity: RowIdentity,
        private readonly changed: (row: PortalStatus) => void,
    ) {
        this.key = `${identity.nodeId}/${identity.memberId ?? identity.domain}`;
        source.on('request', this.onRequest);
        source.on('throttled', this.onThrottled);
        source.on('state', this.onState);
        source.client().then(
            (client) => (this.client = client),
            () => undefined,
        );
    }

    detach(): void {
        this.source.off('request', this.onRequest);
        this.source.off('throttled', this.onThrottled);
        this.source.off('state', this.onState);
    }

    /** Reads the queue figures when the last read is `intervalMs` old; one read at a time. */
    readQueueEvery(intervalMs: number, now = Date.now()): Promise<void> | undefined {
        if (this.reading || now - this.lastRead < intervalMs) return undefined;
        this.lastRead = now;
        this.reading = this.readQueue().finally(() => {
            this.reading = undefined;
            this.touch();
        });
        return this.reading;
    }

    /** Figures a list node read anyway: they count as a read. */
    recordQueue(stats: {
        backlog: number;
        reserved: number;
        errors: number;
        oldestAgeSeconds: number | null;
    }): void {
        const now = Date.now();
        this.lastRead = now;
        this.queue = { ...stats, at: now };
        this.queueError = undefined;
        this.backlog.add(now, stats.backlog);
        this.touch();
    }

    view(describe: DescribeError, now = Date.now()): StatusRowView {
        this.countRefreshes(now);
        const lastError = this.lastError;
        return {
            key: this.key,
            ...this.identity,
            state: this.state(now),
            connection: this.source.state,
            backlog: this.queue?.backlog ?? null,
            reserved: this.queue?.reserved ?? null,
            errorRows: this.queue?.errors ?? null,
            oldestAgeSeconds: this.queue?.oldestAgeSeconds ?? null,
            queueReadAt: this.queue?.at ?? null,
            queueError: this.queueError ? describe(this.queueError) : null,
            bucket: this.client ? roundLevel(this.client.limiter.bucket.counter) : null,
            lastHour: {
                requests: this.requests.sum(now),
                status503: this.status503.sum(now),
                status429: this.status429.sum(now),
                refreshes: this.refreshes.sum(now),
            },
            totals: { requests: Object.fromEntries(this.totals), refreshes: this.refreshCount },
            lastError: lastError
                ? { ...describe(lastError.error), at: lastError.at, method: lastError.error.method ?? '' }
                : null,
            backlogSamples: this.backlog.list(now),
            drainedBy: null,
        };
    }

    state(now = Date.now()): RowState {
        if (this.source.blocked || (this.failing && BLOCKING.has(this.failing))) return 'blocked';
        if (this.source.state === 'failed' || this.source.state === 'unauthorized') return 'error';
        if (this.failing && !WAITING.has(this.failing)) return 'error';
        if (this.failing || now - this.throttledAt < THROTTLE_SHOWN_MS) return 'throttled';
        return 'ok';
    }

    private async readQueue(): Promise<void> {
        try {
            const client = await this.source.client();
            // A webhook cannot read the offline queue (docs/bitrix24.md §0.1).
            if (client.auth.kind !== 'oauth') return;
            await client.limiter.whenIdle();
            const stats = await new OfflineQueue(client).stats(
                this.source.settings.authConnector || undefined,
            );
            this.recordQueue(stats);
        } catch (err) {
            this.queueError = err;
        }
    }

    private request(outcome: RequestOutcome): void {
        const now = Date.now();
        this.countRefreshes(now);
        const status = String(outcome.status);
        this.totals.set(status, (this.totals.get(status) ?? 0) + 1);
        this.requests.add(now);
        if (outcome.status === 503) this.status503.add(now);
        if (outcome.status === 429) this.status429.add(now);
        if (outcome.error) {
            this.failing = outcome.code;
            if (!WAITING.has(outcome.code)) this.lastError = { error: outcome.error, at: now };
            else this.throttledAt = now;
        } else {
            this.failing = undefined;
        }
        this.touch();
    }

    private countRefreshes(now: number): void {
        const refreshes = this.client?.stats.refreshes ?? 0;
        if (refreshes > this.refreshCount) {
            this.refreshes.add(now, refreshes - this.refreshCount);
            this.refreshCount = refreshes;
        }
    }

    private touch(): void {
        this.changed(this);
    }
}

function roundLevel(current: { level: number; burst: number }): { level: number; burst: number } {
    return { level: Math.round(current.level * 10) / 10, burst: current.burst };
}
