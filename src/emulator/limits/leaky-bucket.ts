// The portal's request-rate limit (docs/bitrix24.md §8): a counter that drains continuously at `rps`;
// every request adds 1, and a request that would push it above `burst` is refused with 503
// QUERY_LIMIT_EXCEEDED (and adds nothing). Standard plans: 50 / 2 per s; Enterprise: 250 / 5.
import type { Plan } from '../store/features';

export interface BucketSettings {
    burst: number;
    rps: number;
}

export type LimitsSetting = 'on' | 'off' | BucketSettings;

export function bucketFor(limits: LimitsSetting, plan: Plan): BucketSettings | null {
    if (limits === 'off') return null;
    if (limits === 'on') return plan === 'enterprise' ? { burst: 250, rps: 5 } : { burst: 50, rps: 2 };
    return { burst: limits.burst, rps: limits.rps };
}

export class LeakyBucket {
    private level = 0;
    private updatedMs = 0;

    constructor(private settings: BucketSettings | null) {}

    configure(settings: BucketSettings | null): void {
        this.settings = settings;
        this.level = 0;
    }

    /** Adds one request if it fits; false means "answer 503". */
    tryTake(nowMs: number): boolean {
        if (!this.settings) return true;
        this.drain(nowMs);
        if (this.level + 1 > this.settings.burst) return false;
        this.level += 1;
        return true;
    }

    private drain(nowMs: number): void {
        if (!this.settings) return;
        const elapsed = Math.max(0, nowMs - this.updatedMs) / 1000;
        this.level = Math.max(0, this.level - elapsed * this.settings.rps);
        this.updatedMs = nowMs;
    }
}
