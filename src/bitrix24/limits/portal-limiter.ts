import { EventEmitter } from 'node:events';

import type { BucketProfile } from './leaky-bucket';
import { LeakyBucket } from './leaky-bucket';
import { OperatingBudget } from './operating-budget';
import type { SharedBucketLink, SharedLimits } from './shared-limits';

export const RATE_PROFILES = {
    standard: { burst: 50, rps: 2 },
    enterprise: { burst: 250, rps: 5 },
} as const satisfies Record<string, BucketProfile>;

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
    private timer: NodeJS.Timeout | undefined;
    private shared: SharedBucketLink | undefined;
    private sharedPump: Promise<void> | undefined;

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
        // Best effort: a store that is away has no counter to fill, and the retry waits anyway.
        this.shared?.fill(this.bucket.current).catch(() => undefined);
    }

    /** Resolves when one more request may go to the portal. */
    acquire(): Promise<void> {
        return new Promise((resolve) => {
            this.waiters.push(resolve);
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
    }

    /**
     * One script on the store per request (it takes the slot or says how long to wait). While the
     * store is unreachable the local mirror decides, so that clears and errors still go out.
     */
    private async pumpShared(shared: SharedBucketLink): Promise<void> {
        while (this.waiters.length > 0) {
            let waitMs: number;
            try {
                waitMs = await shared.take(this.bucket.current, this.bucket.marginMs);
            } catch {
                waitMs = this.bucket.delay();
            }
            if (waitMs > 0) {
                this.emit('throttled', { waitMs, waiting: this.waiters.length });
                await new Promise<void>((resolve) => {
                    this.timer = setTimeout(() => {
                        this.timer = undefined;
                        resolve();
                    }, waitMs);
                });
                continue;
            }
            this.bucket.take();
            this.waiters.shift()?.();
        }
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
