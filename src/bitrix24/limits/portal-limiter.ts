import { EventEmitter } from 'node:events';

import type { BucketProfile } from './leaky-bucket';
import { LeakyBucket } from './leaky-bucket';
import { OperatingBudget } from './operating-budget';

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

    constructor(profile: BucketProfile) {
        super();
        this.bucket = new LeakyBucket(profile);
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
        if (this.timer) return;
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
        const { level, burst } = this.bucket.current;
        if (level + 2 > burst) {
            this.idleTimer = setTimeout(() => {
                this.idleTimer = undefined;
                this.pump();
            }, IDLE_RECHECK_MS);
            return;
        }
        for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
}

const limiters = new Map<string, PortalLimiter>();

/** The one limiter for a portal host; a later profile replaces the earlier one. */
export function limiterFor(host: string, profile: BucketProfile, operatingLimitSeconds = 480): PortalLimiter {
    let limiter = limiters.get(host);
    if (!limiter) {
        limiter = new PortalLimiter(profile);
        limiters.set(host, limiter);
    } else {
        limiter.bucket.configure(profile);
    }
    limiter.budget.configure(operatingLimitSeconds);
    return limiter;
}
