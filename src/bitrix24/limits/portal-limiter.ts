import { EventEmitter } from 'node:events';

import type { BucketProfile } from './leaky-bucket';
import { LeakyBucket } from './leaky-bucket';
import { OperatingBudget } from './operating-budget';

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
