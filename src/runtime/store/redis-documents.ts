import type { Redis } from 'ioredis';

import { documentName, type DocumentStore, type JsonDocument } from '../../bitrix24/internal';

/**
 * Documents as Redis strings under `<prefix>doc:<name>`: the ledgers every instance shares. They
 * hold process and message ids, never a secret; tokens are not kept here.
 */
export class RedisDocumentStore implements DocumentStore {
    constructor(
        private readonly redis: Redis,
        private readonly prefix: string,
        /** Resolves once the connection is up, or after a short wait: a node starting with Node-RED reads before it is. */
        private readonly up: () => Promise<void>,
    ) {}

    document<T>(name: string): JsonDocument<T> {
        const key = this.key(documentName(name));
        const { redis, up } = this;
        return {
            async read(): Promise<T | undefined> {
                await up();
                const text = await redis.get(key);
                // The document is this package's own: its owner checks the shape where it matters.
                return text === null ? undefined : (JSON.parse(text) as T);
            },
            async write(value: T): Promise<void> {
                await redis.set(key, JSON.stringify(value));
            },
            async remove(): Promise<void> {
                await redis.del(key);
            },
        };
    }

    async names(prefix: string): Promise<string[]> {
        await this.up();
        const start = this.key('');
        const pattern = `${escapeGlob(this.key(documentName(prefix)))}*`;
        const names: string[] = [];
        let cursor = '0';
        do {
            const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 200);
            cursor = next;
            names.push(...keys.map((key) => key.slice(start.length)));
        } while (cursor !== '0');
        return names;
    }

    private key(name: string): string {
        return `${this.prefix}doc:${name}`;
    }
}

/** A literal for a SCAN pattern: `*`, `?`, `[` and `\` lose their meaning. */
export function escapeGlob(text: string): string {
    return text.replace(/[*?[\]\\]/g, '\\$&');
}
