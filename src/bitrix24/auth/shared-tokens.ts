import type { StoredTokens } from './tokens';

/**
 * A token pair that several processes use (design: "Several Node-RED instances"). The refresh
 * token rotates on every refresh and the old one is spent at once, so one refresh at a time: a
 * process takes the lock, re-reads the pair (another may have refreshed meanwhile), refreshes,
 * and stores the new pair only if the stored refresh token is still the one it spent, before
 * anyone uses it. Every method rejects with STORE_UNREACHABLE when the store is away: then no
 * refresh happens, since one without the store would fork the chain.
 */
export interface SharedTokenPair {
    /** The stored pair; undefined when none is stored. */
    read(): Promise<StoredTokens | undefined>;
    /** A lock token when this process now holds the refresh lock (for `ttlMs` at most), else undefined. */
    lockForRefresh(ttlMs: number): Promise<string | undefined>;
    /** Keeps the lock `ttlMs` longer if it is still the one `lock` names; resolves whether it was. */
    extendLock(lock: string, ttlMs: number): Promise<boolean>;
    /** Releases the lock if it is still the one `lock` names; an expired lock is no error. */
    unlock(lock: string): Promise<void>;
    /**
     * Stores `tokens` only if the stored refresh token is `spentRefreshToken` (undefined: only if
     * nothing is stored). Resolves whether it stored them.
     */
    compareAndSet(spentRefreshToken: string | undefined, tokens: StoredTokens): Promise<boolean>;
    /** Stores `tokens` whatever is stored: tokens that arrived another way (installation, Connect). */
    write(tokens: StoredTokens): Promise<void>;
}
