// `--instances N`: the redis-server the instances share through a `bitrix24-store`, and its secret scan.
import { RedisServer } from '../helpers/redis-server';
import type { Cleanup } from './cleanup';
import type { SecretScanner } from './secrets';

/** Short leases, so that a killed instance's portal is taken over within the run. */
export const STORE_LEASE_SECONDS = 5;

/** A fresh redis-server without persistence (a restart comes back empty), stopped at cleanup. */
export async function startSharedStore(cleanup: Cleanup): Promise<RedisServer> {
    const redis = await RedisServer.start();
    cleanup.add('redis-server', () => redis.stop());
    return redis;
}

/** Every value the instances keep under the store's prefix (tokens must be sealed); returns the keys scanned. */
export async function scanRedis(redis: RedisServer, scanner: SecretScanner): Promise<number> {
    const client = redis.client();
    try {
        const keys = await client.keys('b24:*');
        for (const key of keys) {
            const value = await readValue(client, key);
            scanner.scanNow('redis', `${key}\n${value}`, `redis ${key}`);
        }
        return keys.length;
    } finally {
        client.disconnect();
    }
}

async function readValue(client: ReturnType<RedisServer['client']>, key: string): Promise<string> {
    switch (await client.type(key)) {
        case 'string':
            return (await client.get(key)) ?? '';
        case 'hash':
            return JSON.stringify(await client.hgetall(key));
        case 'zset':
            return JSON.stringify(await client.zrange(key, 0, -1, 'WITHSCORES'));
        case 'set':
            return JSON.stringify(await client.smembers(key));
        case 'list':
            return JSON.stringify(await client.lrange(key, 0, -1));
        default:
            return '';
    }
}
