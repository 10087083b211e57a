/**
 * A client-side mirror of the portal's request counter (docs/bitrix24.md §8): every request adds 1,
 * the counter drains continuously at `rps`, and the portal refuses a request that would take it
 * above `burst`. Sending only when the mirror has room uses the whole burst, then exactly the
 * drain rate. `marginMs` of drain is kept in reserve for the time a request spends on the wire.
 */
export interface BucketProfile {
    burst: number;
    rps: number;
}

export class LeakyBucket {
    private level = 0;
    private updatedAt: number;

    constructor(
        private profile: BucketProfile,
        readonly marginMs = 100,
        private readonly now: () => number = Date.now,
    ) {
        this.updatedAt = now();
    }

    get current(): BucketProfile {
        return this.profile;
    }

    configure(profile: BucketProfile): void {
        this.drain();
        this.profile = profile;
    }

    /** Milliseconds until one more request fits; 0 when it fits now. */
    delay(): number {
        this.drain();
        const margin = (this.profile.rps * this.marginMs) / 1000;
        const excess = this.level + 1 + margin - this.profile.burst;
        return excess <= 0 ? 0 : Math.ceil((excess / this.profile.rps) * 1000);
    }

    take(): void {
        this.drain();
        this.level += 1;
    }

    /** The portal answered QUERY_LIMIT_EXCEEDED: its counter is full, whatever we thought. */
    fill(): void {
        this.drain();
        this.level = Math.max(this.level, this.profile.burst);
    }

    private drain(): void {
        const now = this.now();
        this.level = Math.max(0, this.level - ((now - this.updatedAt) / 1000) * this.profile.rps);
        this.updatedAt = now;
    }
}
