import { EventEmitter } from 'node:events';

import { Redis } from 'ioredis';

import type { Coordination, StoreState } from './coordination';
import { escapeGlob, RedisDocumentStore } from './redis-documents';
import type { StoreSettings } from './store-settings';

/** A command that takes longer is failed: a slow store must not hold the flows up. */
const COMMAND_TIMEOUT_MS = 1_000;
/** How long a document read waits for a connection that is not up yet (at start). */
const CONNECT_WAIT_MS = 3_000;

/**
 * Takes or renews a lease and refreshes this instance's heartbeat, in one round trip on Redis's
 * clock. KEYS: lease, instances. ARGV: instance, lease ms. Returns 1 when the lease is ours.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/** Deletes a lease only when it is still ours. KEYS: lease. ARGV: instance. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** The instances whose heartbeat has not run out. KEYS: instances. */
const LIVE = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZRANGE', KEYS[1], 0, -1)`;

/**
 * The shared store on Redis for the flow nodes: leases, heartbeats, wake-ups and the shared
 * documents. ioredis is set to fail fast while Redis is away (no offline queue, one try per
 * command, a command timeout) and to reconnect for ever, so work resumes without a redeploy; a
 * Redis that restarts empty is survived because every key here is rebuilt by the next heartbeat.
 */
export class RedisCoordination extends EventEmitter<{ state: [StoreState] }> implements Coordination {
    readonly instance: string;
    readonly leaseMs: number;
    readonly documents: RedisDocumentStore;
    private readonly redis: Redis;
    private readonly subscriber: Redis;
    private readonly wakeListeners = new Map<string, Set<() => void>>();
    private stateValue: StoreState = 'down';

    constructor(private readonly settings: StoreSettings) {
        super();
        this.instance = settings.instance;
        this.leaseMs = settings.leaseSeconds * 1000;
        const options = {
            password: settings.password || undefined,
            enableOfflineQueue: false,
            maxRetriesPerRequest: 1,
            commandTimeout: COMMAND_TIMEOUT_MS,
            connectTimeout: 2_000,
            retryStrategy: (times: number) => Math.min(100 * times, 1_000),
        };
        this.redis = new Redis(settings.url, options);
        this.subscriber = new Redis(settings.url, { ...options, commandTimeout: undefined });
        this.redis.on('ready', () => this.setState('up'));
        this.redis.on('close', () => this.setState('down'));
        // Reported through `state`; an unhandled 'error' event would end the process.
        this.redis.on('error', () => undefined);
        this.subscriber.on('error', () => undefined);
        this.subscriber.on('ready', () => {
            const channels = [...this.wakeListeners.keys()].map((resource) => this.channel(resource));
            if (channels.length > 0) void this.subscriber.subscribe(...channels).catch(() => undefined);
        });
        this.subscriber.on('message', (channel: string) => {
            const resource = channel.slice(this.channel('').length);
            for (const listener of this.wakeListeners.get(resource) ?? []) listener();
        });
        this.documents = new RedisDocumentStore(this.redis, settings.prefix, () =>
            this.whenUp(CONNECT_WAIT_MS),
        );
    }

    get available(): boolean {
        return this.stateValue === 'up';
    }

    get state(): StoreState {
        return this.stateValue;
    }

    /** Resolves when the store is up, or after `ms` (the command that follows then fails fast). */
    whenUp(ms: number): Promise<void> {
        if (this.available) return Promise.resolve();
        return new Promise((resolve) => {
            const done = () => {
                clearTimeout(timer);
                this.off('state', done);
                resolve();
            };
            const timer = setTimeout(done, ms);
            this.on('state', done);
        });
    }

    async acquire(resource: string): Promise<boolean> {
        const result = await this.redis.eval(
            ACQUIRE,
            2,
            this.leaseKey(resource),
            this.key('instances'),
            this.instance,
            String(this.leaseMs),
        );
        return result === 1;
    }

    async release(resource: string): Promise<void> {
        await this.redis.eval(RELEASE, 1, this.leaseKey(resource), this.instance);
    }

    async owner(resource: string): Promise<string | undefined> {
        return (await this.redis.get(this.leaseKey(resource))) ?? undefined;
    }

    async instances(): Promise<string[]> {
        return (await this.redis.eval(LIVE, 1, this.key('instances'))) as string[];
    }

    /** Every lease and its holder: what the store node's Test connection shows. */
    async leases(): Promise<{ resource: string; owner: string }[]> {
        const start = this.leaseKey('');
        const found: { resource: string; owner: string }[] = [];
        let cursor = '0';
        do {
            const [next, keys] = await this.redis.scan(
                cursor,
                'MATCH',
                `${escapeGlob(start)}*`,
                'COUNT',
                200,
            );
            cursor = next;
            for (const key of keys) {
                const owner = await this.redis.get(key);
                if (owner !== null) found.push({ resource: key.slice(start.length), owner });
            }
        } while (cursor !== '0');
        return found.sort((a, b) => a.resource.localeCompare(b.resource));
    }

    async wake(resource: string): Promise<void> {
        await this.redis.publish(this.channel(resource), this.instance);
    }

    onWake(resource: string, listener: () => void): () => void {
        let set = this.wakeListeners.get(resource);
        if (!set) {
            set = new Set();
            this.wakeListeners.set(resource, set);
            if (this.subscriber.status === 'ready')
                void this.subscriber.subscribe(this.channel(resource)).catch(() => undefined);
        }
        set.add(listener);
        return () => {
            set.delete(listener);
            if (set.size > 0) return;
            this.wakeListeners.delete(resource);
            if (this.subscriber.status === 'ready')
                void this.subscriber.unsubscribe(this.channel(resource)).catch(() => undefined);
        };
    }

    /** Leaves the instances list, so the others need not wait for the heartbeat to run out. */
    async close(): Promise<void> {
        await this.redis.zrem(this.key('instances'), this.instance).catch(() => undefined);
        this.subscriber.disconnect();
        this.redis.disconnect();
        this.setState('down');
        this.removeAllListeners();
    }

    private setState(state: StoreState): void {
        if (state === this.stateValue) return;
        this.stateValue = state;
        this.emit('state', state);
    }

    private key(name: string): string {
        return `${this.settings.prefix}${name}`;
    }

    private leaseKey(resource: string): string {
        return this.key(`lease:${resource}`);
    }

    private channel(resource: string): string {
        return this.key(`wake:${resource}`);
    }
}
