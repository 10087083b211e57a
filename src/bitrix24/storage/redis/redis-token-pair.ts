import { randomBytes } from 'node:crypto';

import type { SharedTokenPair } from '../../auth/shared-tokens';
import { keyedFingerprint, seal, type Sealed } from '../../auth/token-cipher';
import type { StoredTokens } from '../../auth/tokens';
import type { StoreKeys } from './keys';
import type { ScriptedRedis } from './scripts';
import { guarded, unsealStored } from './store-error';

/**
 * A token pair in Redis: a hash of the sealed pair (`data`, AES-256-GCM under the shared secret)
 * and a keyed fingerprint of its refresh token (`fp`), which the compare-and-set script compares
 * without ever seeing a token. The refresh lock is a key with a random value and a TTL.
 */
export class RedisTokenPair implements SharedTokenPair {
    private readonly key: string;
    private readonly lockKey: string;

    constructor(
        private readonly redis: ScriptedRedis,
        keys: StoreKeys,
        name: string,
        private readonly secret: string,
    ) {
        this.key = keys.tokens(name);
        this.lockKey = keys.tokenLock(name);
    }

    async read(): Promise<StoredTokens | undefined> {
        const data = await guarded(() => this.redis.hget(this.key, 'data'));
        if (data === null) return undefined;
        return JSON.parse(unsealStored(JSON.parse(data) as Sealed, this.secret)) as StoredTokens;
    }

    async lockForRefresh(ttlMs: number): Promise<string | undefined> {
        const lock = randomBytes(16).toString('hex');
        const done = await guarded(() => this.redis.set(this.lockKey, lock, 'PX', Math.ceil(ttlMs), 'NX'));
        return done === 'OK' ? lock : undefined;
    }

    async extendLock(lock: string, ttlMs: number): Promise<boolean> {
        return (await guarded(() => this.redis.b24ExtendLock(this.lockKey, lock, Math.ceil(ttlMs)))) === 1;
    }

    async unlock(lock: string): Promise<void> {
        await guarded(() => this.redis.b24Unlock(this.lockKey, lock));
    }

    async compareAndSet(spentRefreshToken: string | undefined, tokens: StoredTokens): Promise<boolean> {
        const expected = keyedFingerprint(spentRefreshToken, this.secret);
        const [fp, data] = this.sealed(tokens);
        return (await guarded(() => this.redis.b24TokensCas(this.key, expected, fp, data))) === 1;
    }

    async write(tokens: StoredTokens): Promise<void> {
        const [fp, data] = this.sealed(tokens);
        await guarded(() => this.redis.hset(this.key, 'fp', fp, 'data', data));
    }

    private sealed(tokens: StoredTokens): [string, string] {
        return [
            keyedFingerprint(tokens.refreshToken, this.secret),
            JSON.stringify(seal(JSON.stringify(tokens), this.secret)),
        ];
    }
}
