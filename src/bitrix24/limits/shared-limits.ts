import type { BucketProfile } from './leaky-bucket';

/**
 * Where a portal's limits live when several processes talk to it (design: "Several Node-RED
 * instances"): its request counter and its method blocks, kept in a shared store. Without one,
 * each process keeps its own, as before.
 */
export interface SharedBucketLink {
    /**
     * Books one request slot at the earliest time the portal's bucket allows and resolves the
     * milliseconds until then (0: now). The caller sends when that time comes, without asking
     * again; a booked slot it does not use is only lost capacity, never an excess. Rejects when
     * the store is unreachable.
     */
    reserve(profile: BucketProfile, marginMs: number): Promise<number>;
    /** The portal answered QUERY_LIMIT_EXCEEDED: its counter is full for every process. */
    fill(profile: BucketProfile): Promise<void>;
}

export interface SharedBudgetLink {
    /** Tells every process that `method` may not be called before `untilMs` (unix ms). */
    publish(method: string, untilMs: number): void;
    /** Calls `apply` with the blocks of every process, now and as they come; returns the way to stop. */
    listen(apply: (method: string, untilMs: number) => void): () => void;
}

export interface SharedLimits {
    bucket: SharedBucketLink;
    budget: SharedBudgetLink;
}
