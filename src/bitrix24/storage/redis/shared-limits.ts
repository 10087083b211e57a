import type { BucketProfile } from '../../limits/leaky-bucket';
import type { SharedBucketLink, SharedBudgetLink } from '../../limits/shared-limits';
import type { StoreKeys } from './keys';
import type { ScriptedRedis } from './scripts';
import { guarded } from './store-error';
import type { Subscriptions } from './subscriptions';

/** An idle bucket's key outlives the time it takes to drain by this much, then goes. */
const IDLE_MS = 60_000;

/**
 * A portal's leaky bucket in Redis (docs/bitrix24.md §8): the semantics of LeakyBucket, margin
 * included, on Redis's clock, so that every instance together keeps to the portal's burst and
 * drain rate. One script per request, even one that must wait: it books the request's slot.
 */
export class SharedBucket implements SharedBucketLink {
    constructor(
        private readonly redis: ScriptedRedis,
        private readonly key: string,
        private profile: BucketProfile,
        private readonly marginMs = 100,
    ) {}

    /** One round trip: books a slot and resolves the milliseconds until it comes (0: now). */
    reserve(profile: BucketProfile = this.profile, marginMs = this.marginMs): Promise<number> {
        this.profile = profile;
        return guarded(() =>
            this.redis.b24BucketReserve(this.key, profile.burst, profile.rps, marginMs, ttl(profile)),
        );
    }

    async fill(profile: BucketProfile = this.profile): Promise<void> {
        await guarded(() => this.redis.b24BucketFill(this.key, profile.burst, profile.rps, ttl(profile)));
    }
}

function ttl(profile: BucketProfile): number {
    return Math.ceil((profile.burst / profile.rps) * 1000) + IDLE_MS;
}

/**
 * A portal's operating-budget blocks (docs/bitrix24.md §8), shared without a round trip per
 * request: a block is written to a hash and published; every instance keeps the blocks it
 * heard of locally, and reads the hash again whenever its subscription (re)connects.
 */
export class SharedBudget implements SharedBudgetLink {
    private readonly channel: string;
    private readonly key: string;

    constructor(
        private readonly redis: ScriptedRedis,
        private readonly subscriptions: Subscriptions,
        keys: StoreKeys,
        host: string,
    ) {
        this.channel = keys.budgetChannel(host);
        this.key = keys.budget(host);
    }

    publish(method: string, untilMs: number): void {
        // The block already holds here; the others learn of it when Redis answers, or meet the 429.
        void guarded(() =>
            this.redis.b24BudgetBlock(this.key, method, Math.ceil(untilMs), this.channel),
        ).catch(() => undefined);
    }

    listen(apply: (method: string, untilMs: number) => void): () => void {
        const load = () =>
            void guarded(() => this.redis.hgetall(this.key))
                .then((blocks) => {
                    for (const [method, until] of Object.entries(blocks)) apply(method, Number(until));
                })
                .catch(() => undefined);
        return this.subscriptions.listen(
            this.channel,
            (message) => {
                const cut = message.lastIndexOf('\n');
                if (cut > 0) apply(message.slice(0, cut), Number(message.slice(cut + 1)));
            },
            load,
        );
    }
}
