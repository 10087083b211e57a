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
    /** The newest pair this process has seen in the store: what `restore` writes back. */
    private known: StoredTokens | undefined;

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
        const tokens = JSON.parse(unsealStored(JSON.parse(data) as Sealed, this.secret)) as StoredTokens;
        this.note(tokens);
        return tokens;
    }

    /**
     * A Redis that restarted empty lost the pair, and an instance that has not used it since the
     * last refresh holds a spent one: it would meet invalid_grant and wait for a pair nobody
     * stores, since the instance holding the live one has no reason to refresh. So each instance
     * writes back the newest pair it saw, unless the store holds one at least as new; the
     * compare-and-set makes a stale instance's write lose to a newer one's.
     */
    async restore(): Promise<void> {
        const mine = this.known;
        if (!mine) return;
        const stored = await this.read();
        if (stored && savedAt(stored) >= savedAt(mine)) return;
        await this.compareAndSet(stored?.refreshToken, mine);
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
        const stored = (await guarded(() => this.redis.b24TokensCas(this.key, expected, fp, data))) === 1;
        if (stored) this.note(tokens);
        return stored;
    }

    async write(tokens: StoredTokens): Promise<void> {
        const [fp, data] = this.sealed(tokens);
        await guarded(() => this.redis.hset(this.key, 'fp', fp, 'data', data));
        this.note(tokens);
    }

    private note(tokens: StoredTokens): void {
        if (!this.known || savedAt(tokens) >= savedAt(this.known)) this.known = tokens;
    }

    private sealed(tokens: StoredTokens): [string, string] {
        return [
            keyedFingerprint(tokens.refreshToken, this.secret),
            JSON.stringify(seal(JSON.stringify(tokens), this.secret)),
        ];
    }
}

/** When the pair was stored; a pair stored before the stamp existed counts as oldest. */
function savedAt(tokens: StoredTokens): number {
    return typeof tokens.savedAt === 'number' ? tokens.savedAt : 0;
}
