import { seal, type Sealed } from '../../auth/token-cipher';
import { Bitrix24Error, LocalCode } from '../../errors';
import { documentName, type DocumentStore } from '../document-store';
import type { JsonDocument } from '../json-document';
import type { StoreKeys } from './keys';
import type { ScriptedRedis } from './scripts';
import { guarded, unsealStored } from './store-error';

interface PlainValue {
    version: 1;
    encrypted: false;
    value: unknown;
}

/**
 * Documents in Redis, one string key each, sealed as the token file is (AES-256-GCM under the
 * secret every instance shares) when a secret is given. A missing key is an empty document.
 */
export class RedisDocumentStore implements DocumentStore {
    constructor(
        private readonly redis: ScriptedRedis,
        private readonly keys: StoreKeys,
        private readonly secret: string | undefined,
    ) {}

    document<T>(name: string): JsonDocument<T> {
        const key = this.keys.document(documentName(name));
        return {
            read: async () => this.open<T>(await guarded(() => this.redis.get(key))),
            write: async (value: T) => {
                const text = this.close(value);
                await guarded(() => this.redis.set(key, text));
            },
            remove: async () => {
                await guarded(() => this.redis.del(key));
            },
        };
    }

    names(prefix: string): Promise<string[]> {
        const head = this.keys.document('');
        // documentName leaves only letters, digits, '.', '_' and '-': nothing SCAN reads as a pattern.
        const pattern = `${head}${documentName(prefix)}*`;
        return guarded(async () => {
            const found = new Set<string>();
            let cursor = '0';
            do {
                const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
                for (const key of keys) found.add(key.slice(head.length));
                cursor = next;
            } while (cursor !== '0');
            return [...found];
        });
    }

    private close(value: unknown): string {
        const content: Sealed | PlainValue = this.secret
            ? seal(JSON.stringify(value), this.secret)
            : { version: 1, encrypted: false, value };
        return JSON.stringify(content);
    }

    private open<T>(text: string | null): T | undefined {
        if (text === null) return undefined;
        const content = JSON.parse(text) as Sealed | PlainValue;
        if (!content.encrypted) return content.value as T;
        if (!this.secret) {
            throw new Bitrix24Error({
                code: LocalCode.InvalidConfig,
                description: 'a document in the shared store is encrypted, but the store has no secret',
            });
        }
        return JSON.parse(unsealStored(content, this.secret)) as T;
    }
}
