import { EventEmitter } from 'node:events';

import type { BucketProfile } from './leaky-bucket';
import { LeakyBucket } from './leaky-bucket';
import { OperatingBudget } from './operating-budget';
import type { SharedBucketLink, SharedLimits } from './shared-limits';

export const RATE_PROFILES = {
    standard: { burst: 50, rps: 2 },
    enterprise: { burst: 250, rps: 5 },
} as const satisfies Record<string, BucketProfile>;

/** How often a low-priority wait looks again at a full bucket. */
const IDLE_RECHECK_MS = 1000;

export interface ThrottleEvent {
    waitMs: number;
    waiting: number;
}

/**
 * The limits of one portal, shared by every client of the process that talks to it: the
 * portal counts requests per portal and source IP, whatever app or node sends them (docs/bitrix24.md §8).
 * Requests get their turn in arrival order.
 */
export class PortalLimiter extends EventEmitter<{ throttled: [ThrottleEvent] }> {
    readonly bucket: LeakyBucket;
    readonly budget = new OperatingBudget();
    private readonly waiters: (() => void)[] = [];
    /** Waiting for a moment when nothing else waits: reads for the status, never before a drain. */
    private readonly idleWaiters: (() => void)[] = [];
    private timer: NodeJS.Timeout | undefined;
    private idleTimer: NodeJS.Timeout | undefined;
    private shared: SharedBucketLink | undefined;
    private sharedPump: Promise<void> | undefined;
    /** Ends the shared pump's wait for a booked slot early. */
    private interrupt: (() => void) | undefined;

    constructor(profile: BucketProfile) {
        super();
        this.bucket = new LeakyBucket(profile);
    }

    /**
     * Keeps the portal's counter and method blocks in a shared store, so that every process
     * together keeps to the portal's limits; undefined goes back to this process alone.
     */
    share(limits: SharedLimits | undefined): void {
        this.shared = limits?.bucket;
        this.budget.share(limits?.budget);
    }

    /** The portal answered QUERY_LIMIT_EXCEEDED: its counter is full, for every process sharing it. */
    fill(): void {
        this.bucket.fill();
        if (!this.shared) return;
        // Best effort: a store that is away has no counter to fill, and the retry waits anyway.
        // The booking being waited for was made before the portal said it is full: book again
        // once the store knows.
        const interrupt = this.interrupt;
        this.shared
            .fill(this.bucket.current)
            .catch(() => undefined)
            .finally(() => interrupt?.());
    }

    /** Resolves when one more request may go to the portal. */
    acquire(): Promise<void> {
        return new Promise((resolve) => {
            this.waiters.push(resolve);
            this.pump();
        });
    }

    /**
     * Resolves at the lowest priority: once no request waits and the bucket has room for more
     * than one. It takes no slot; the caller's request then queues like any other.
     */
    whenIdle(): Promise<void> {
        return new Promise((resolve) => {
            this.idleWaiters.push(resolve);
            this.pump();
        });
    }

    private pump(): void {
        if (this.timer || this.sharedPump) return;
        if (this.shared) {
            this.sharedPump = this.pumpShared(this.shared).finally(() => {
                this.sharedPump = undefined;
                // A waiter that came while the pump was finishing found it still running.
                if (this.waiters.length > 0) this.pump();
                else this.releaseIdle();
            });
            return;
        }
        while (this.waiters.length > 0) {
            const waitMs = this.bucket.delay();
            if (waitMs > 0) {
                this.timer = setTimeout(() => {
                    this.timer = undefined;
                    this.pump();
                }, waitMs);
                this.emit('throttled', { waitMs, waiting: this.waiters.length });
                return;
            }
            this.bucket.take();
            this.waiters.shift()?.();
        }
        this.releaseIdle();
    }

    private releaseIdle(): void {
        if (this.idleWaiters.length === 0 || this.idleTimer) return;
        const { level, burst } = this.bucket.counter;
        if (level + 2 > burst) {
            this.idleTimer = setTimeout(() => {
                this.idleTimer = undefined;
                this.pump();
            }, IDLE_RECHECK_MS);
            return;
        }
        for (const resolve of this.idleWaiters.splice(0)) resolve();
    }

    /**
     * One script on the store per request: it books the request's slot and says how long until
     * it comes; the request goes then, without asking again. A 503 meanwhile (fill) drops the
     * booking for a later one: the dropped slot is only lost capacity. While the store is
     * unreachable the local mirror decides, so that clears and errors still go out.
     */
    private async pumpShared(shared: SharedBucketLink): Promise<void> {
        while (this.waiters.length > 0) {
            let waitMs: number;
            let booked = true;
            try {
                waitMs = await shared.reserve(this.bucket.current, this.bucket.marginMs);
            } catch {
                waitMs = this.bucket.delay();
                booked = false;
            }
            if (waitMs > 0) {
                this.emit('throttled', { waitMs, waiting: this.waiters.length });
                const served = await this.sleep(waitMs);
                // Unbooked (store away), the mirror and the store are asked again.
                if (!served || !booked) continue;
            }
            this.bucket.take();
            this.waiters.shift()?.();
        }
    }

    /** Waits `ms`; resolves false when a fill cut the wait short. */
    private sleep(ms: number): Promise<boolean> {
        return new Promise((resolve) => {
            const end = (served: boolean) => {
                clearTimeout(timer);
                if (this.timer === timer) this.timer = undefined;
                if (this.interrupt === interrupt) this.interrupt = undefined;
                resolve(served);
            };
            const interrupt = () => end(false);
            const timer = setTimeout(() => end(true), ms);
            this.timer = timer;
            this.interrupt = interrupt;
        });
    }
}

const limiters = new Map<string, PortalLimiter>();

/**
 * The one limiter for a portal host; a later profile replaces the earlier one. `shared` puts its
 * limits in a shared store (see PortalLimiter.share).
 */
export function limiterFor(
    host: string,
    profile: BucketProfile,
    operatingLimitSeconds = 480,
    shared?: SharedLimits,
): PortalLimiter {
    let limiter = limiters.get(host);
    if (!limiter) {
        limiter = new PortalLimiter(profile);
        limiters.set(host, limiter);
    } else {
        limiter.bucket.configure(profile);
    }
    limiter.budget.configure(operatingLimitSeconds);
    if (shared) limiter.share(shared);
    return limiter;
}
