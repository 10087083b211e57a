import { EventEmitter } from 'node:events';

import { Redis, type RedisOptions } from 'ioredis';

import type { SharedTokenPair } from '../../auth/shared-tokens';
import { invalidConfig } from '../../errors';
import type { BucketProfile } from '../../limits/leaky-bucket';
import type { SharedLimits } from '../../limits/shared-limits';
import type { DocumentStore } from '../document-store';
import { StoreKeys } from './keys';
import { Leases } from './leases';
import { RedisDocumentStore } from './redis-documents';
import { RedisTokenPair } from './redis-token-pair';
import { defineScripts, type ScriptedRedis } from './scripts';
import { SharedBucket, SharedBudget } from './shared-limits';
import { guarded, storeUnreachable } from './store-error';
import { Subscriptions } from './subscriptions';

export interface SharedStoreOptions {
    /** `redis://host:6379/0`, `rediss://` for TLS. */
    url: string;
    password?: string;
    /** Key and channel prefix, so that several applications share one Redis, e.g. `b24:`. */
    prefix: string;
    /** This instance's name in leases. */
    instance: string;
    /** How long a dead instance's leases last before another instance takes them. */
    leaseSeconds: number;
    /**
     * Seals tokens and documents (AES-256-GCM); every instance must have the same one. Without it
     * documents are stored in the clear and `tokens()` refuses.
     */
    secret?: string;
    /** A command that takes longer rejects with STORE_UNREACHABLE (default 1000 ms). */
    commandTimeoutMs?: number;
}

export type StoreState = 'up' | 'down';

/**
 * The state several Node-RED instances share, in Redis (design: "Several Node-RED instances"):
 * documents, token pairs, each portal's limits, leases and wake-ups. It fails fast: no offline
 * queue, a command timeout, and every call that needs Redis rejects with STORE_UNREACHABLE while
 * Redis is away; it reconnects by itself, and everything works again once Redis is back.
 */
export class SharedStore extends EventEmitter<{ state: [StoreState] }> {
    readonly documents: DocumentStore;
    readonly leases: Leases;
    readonly keys: StoreKeys;
    private readonly redis: ScriptedRedis;
    private readonly subscriber: Redis;
    private readonly subscriptions: Subscriptions;
    private readonly heartbeat: NodeJS.Timeout;
    private state: StoreState = 'down';
    /** One per name, so that each remembers the newest pair for `restore`. */
    private readonly pairs = new Map<string, RedisTokenPair>();
    private leasesRunOut: NodeJS.Timeout | undefined;
    private closed = false;

    private constructor(private readonly options: SharedStoreOptions) {
        super();
        this.keys = new StoreKeys(options.prefix);
        const connection: RedisOptions = {
            password: options.password || undefined,
            enableOfflineQueue: false,
            maxRetriesPerRequest: 1,
            commandTimeout: options.commandTimeoutMs ?? 1000,
            connectTimeout: 2000,
            // Reconnects for ever, at most 2 s apart: Redis coming back is noticed within that.
            retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
            lazyConnect: false,
        };
        this.redis = defineScripts(new Redis(options.url, connection));
        this.subscriber = new Redis(options.url, {
            ...connection,
            autoResubscribe: false,
            commandTimeout: undefined,
        });
        this.subscriptions = new Subscriptions(this.subscriber, this.redis);
        // Connection errors are states, reported as 'down'; an 'error' event nobody hears would throw.
        this.redis.on('error', () => undefined);
        this.subscriber.on('error', () => undefined);
        this.redis.on('ready', () => this.setState('up'));
        this.redis.on('close', () => this.setState('down'));
        this.documents = new RedisDocumentStore(this.redis, this.keys, options.secret);
        this.leases = new Leases(this.redis, this.keys, options.instance, options.leaseSeconds * 1000);
        // Five beats per lease: a renewal may fail or be late and still keep the lease, and a dead
        // instance's portals are taken over within leaseSeconds plus a fifth of it.
        this.heartbeat = setInterval(() => void this.beat(), (options.leaseSeconds * 1000) / 5);
        this.heartbeat.unref();
    }

    /** Connects in the background; see `available`, the `state` event and `whenUp`. */
    static open(options: SharedStoreOptions): SharedStore {
        checkOptions(options);
        return new SharedStore(options);
    }

    get available(): boolean {
        return this.redis.status === 'ready';
    }

    get instance(): string {
        return this.options.instance;
    }

    /** Resolves once connected; rejects with STORE_UNREACHABLE after `timeoutMs`. */
    whenUp(timeoutMs = 5000): Promise<void> {
        if (this.available) return Promise.resolve();
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                this.off('state', onState);
                reject(storeUnreachable());
            }, timeoutMs);
            const onState = (state: StoreState) => {
                if (state !== 'up') return;
                clearTimeout(timer);
                this.off('state', onState);
                resolve();
            };
            this.on('state', onState);
        });
    }

    /** A portal's rate-limit bucket and operating-budget blocks, for PortalLimiter.share. */
    limits(host: string, profile: BucketProfile): SharedLimits {
        return { bucket: this.bucket(host, profile), budget: this.budget(host) };
    }

    bucket(host: string, profile: BucketProfile): SharedBucket {
        return new SharedBucket(this.redis, this.keys.bucket(host), profile);
    }

    budget(host: string): SharedBudget {
        return new SharedBudget(this.redis, this.subscriptions, this.keys, host);
    }

    /** The token pair called `name` (e.g. a portal's member id); needs the shared secret. */
    tokens(name: string): SharedTokenPair {
        if (!this.options.secret) {
            throw invalidConfig(
                'secret',
                'store-secret',
                'tokens in the shared store are encrypted: give every instance the same secret',
            );
        }
        let pair = this.pairs.get(name);
        if (!pair) {
            pair = new RedisTokenPair(this.redis, this.keys, name, this.options.secret);
            this.pairs.set(name, pair);
        }
        return pair;
    }

    /** Wakes whichever instance drains `resource` (a ring reached this one). */
    async wake(resource: string): Promise<void> {
        await guarded(() => this.redis.publish(this.keys.wakeChannel(resource), '1'));
    }

    /** Calls `wake` whenever any instance wakes `resource`; returns the way to stop. */
    onWake(resource: string, wake: () => void): () => void {
        return this.subscriptions.listen(this.keys.wakeChannel(resource), () => wake());
    }

    /** Gives up this instance's leases (so another takes over at once) and disconnects. */
    async close(): Promise<void> {
        if (this.closed) return;
        this.closed = true;
        clearInterval(this.heartbeat);
        clearTimeout(this.leasesRunOut);
        if (this.available) {
            await Promise.allSettled(this.leases.owned().map((resource) => this.leases.release(resource)));
        }
        await Promise.allSettled([quit(this.redis), quit(this.subscriber)]);
        this.setState('down');
        clearTimeout(this.leasesRunOut);
    }

    /** Writes a token pair back (see RedisTokenPair.restore), trying again a little later on a failure. */
    private restore(pair: RedisTokenPair, attempts: number): void {
        void pair.restore().catch(() => {
            if (attempts <= 1) return;
            const retry = setTimeout(() => {
                if (this.available && !this.closed) this.restore(pair, attempts - 1);
            }, 1000);
            retry.unref();
        });
    }

    private async beat(): Promise<void> {
        if (!this.available || this.closed) return;
        await this.leases.beat().catch(() => undefined);
    }

    private setState(state: StoreState): void {
        if (state === this.state || (this.closed && state === 'up')) return;
        this.state = state;
        clearTimeout(this.leasesRunOut);
        if (state === 'down') {
            // Unrenewed for leaseSeconds, the leases may be another instance's once Redis is back.
            this.leasesRunOut = setTimeout(() => this.leases.forget(), this.leases.leaseMs);
            this.leasesRunOut.unref();
        }
        this.emit('state', state);
        if (state !== 'up') return;
        void this.beat();
        // Back, perhaps empty after a restart: the token pairs go back before anyone refreshes.
        for (const pair of this.pairs.values()) this.restore(pair, 3);
    }
}

async function quit(redis: Redis): Promise<void> {
    try {
        if (redis.status === 'ready') {
            await Promise.race([redis.quit(), new Promise((resolve) => setTimeout(resolve, 500))]);
        }
    } finally {
        redis.disconnect();
    }
}

function checkOptions(options: SharedStoreOptions): void {
    let url: URL | undefined;
    try {
        url = new URL(options.url);
    } catch {
        url = undefined;
    }
    if (!url || !['redis:', 'rediss:'].includes(url.protocol)) {
        throw invalidConfig(
            'url',
            'store-url',
            'the store URL must look like redis://host:6379/0 (or rediss:// for TLS)',
        );
    }
    if (!options.instance) {
        throw invalidConfig('instance', 'store-instance', "the store needs this instance's name");
    }
    if (!(Number.isFinite(options.leaseSeconds) && options.leaseSeconds > 0)) {
        throw invalidConfig('leaseSeconds', 'store-lease', 'leaseSeconds must be a number above 0');
    }
}
