// OAuth grants as oauth.bitrix.info keeps them (docs/bitrix24.md §7): access tokens expire after a
// configurable TTL on the emulator's clock; refresh tokens rotate and are single-use, and
// refreshing retires the old access token too; authorization codes live 30 s.
import type { Clock } from '../clock';
import type { Counters } from '../control/counters';
import { randomLowerAlnum, randomToken } from '../random';
import type { App } from '../store/apps';

export interface Grant {
    accessToken: string;
    refreshToken: string;
    clientId: string;
    userId: number;
    scope: string[];
    /** Unix seconds when the access token stops working. */
    expires: number;
    refreshExpires: number;
    /** Set when the pair was replaced by a refresh: the access token is dead, the refresh token spent. */
    retired: boolean;
}

interface AuthorizationCode {
    clientId: string;
    userId: number;
    expires: number;
}

/** Current docs give the refresh token 180 days (docs/bitrix24.md §7). */
const REFRESH_TTL_SECONDS = 180 * 86400;
/** "The lifetime of the authorization code is only 30 seconds" (docs/bitrix24.md §7). */
const CODE_TTL_SECONDS = 30;

export type GrantFailure = 'invalid_grant' | 'invalid_client';

export class TokenStore {
    private readonly byAccess = new Map<string, Grant>();
    private readonly byRefresh = new Map<string, Grant>();
    private readonly codes = new Map<string, AuthorizationCode>();
    /** Every pair ever issued, retired or not: what a secret scan must look for. */
    private readonly issued: { accessToken: string; refreshToken: string }[] = [];

    constructor(
        private readonly clock: Clock,
        private readonly accessTtlSeconds: number,
        private readonly counters: Counters,
    ) {}

    issue(app: App, userId: number): Grant {
        const now = this.clock.nowSeconds();
        const grant: Grant = {
            accessToken: randomToken(),
            refreshToken: randomToken(),
            clientId: app.clientId,
            userId,
            scope: [...app.scope],
            expires: now + this.accessTtlSeconds,
            refreshExpires: now + REFRESH_TTL_SECONDS,
            retired: false,
        };
        this.byAccess.set(grant.accessToken, grant);
        this.byRefresh.set(grant.refreshToken, grant);
        this.issued.push({ accessToken: grant.accessToken, refreshToken: grant.refreshToken });
        this.counters.tokensIssued++;
        return grant;
    }

    /** Every access and refresh token issued so far, oldest first, including retired ones. */
    issuedPairs(): { accessToken: string; refreshToken: string }[] {
        return this.issued.map((pair) => ({ ...pair }));
    }

    findAccess(token: string): Grant | undefined {
        return this.byAccess.get(token);
    }

    /** Rotates a refresh token: the old pair is retired, a spent or unknown token is invalid_grant. */
    refresh(app: App, refreshToken: string): Grant | GrantFailure {
        const grant = this.byRefresh.get(refreshToken);
        if (!grant || grant.retired || grant.refreshExpires <= this.clock.nowSeconds())
            return 'invalid_grant';
        if (grant.clientId !== app.clientId) return 'invalid_grant';
        grant.retired = true;
        this.byAccess.delete(grant.accessToken);
        this.byRefresh.delete(grant.refreshToken);
        return this.issue(app, grant.userId);
    }

    issueCode(app: App, userId: number): string {
        const code = randomLowerAlnum(32);
        this.codes.set(code, {
            clientId: app.clientId,
            userId,
            expires: this.clock.nowSeconds() + CODE_TTL_SECONDS,
        });
        return code;
    }

    exchangeCode(app: App, code: string): Grant | GrantFailure {
        const entry = this.codes.get(code);
        this.codes.delete(code);
        if (!entry || entry.clientId !== app.clientId || entry.expires <= this.clock.nowSeconds()) {
            return 'invalid_grant';
        }
        return this.issue(app, entry.userId);
    }

    /** Whether this refresh token is one this store issued and has not retired. */
    holdsRefresh(refreshToken: string): boolean {
        return this.byRefresh.has(refreshToken);
    }

    /** Whether this authorization code is one this store issued and nobody exchanged yet. */
    holdsCode(code: string): boolean {
        return this.codes.has(code);
    }

    /** Every token and code of this client stops working (a fresh installation). Returns how many pairs. */
    revokeClient(clientId: string): number {
        let count = 0;
        for (const grant of [...this.byRefresh.values(), ...this.byAccess.values()]) {
            if (grant.clientId !== clientId || grant.retired) continue;
            grant.retired = true;
            this.byAccess.delete(grant.accessToken);
            this.byRefresh.delete(grant.refreshToken);
            count++;
        }
        for (const [code, entry] of this.codes) if (entry.clientId === clientId) this.codes.delete(code);
        return count;
    }

    /** The portal no longer resolves any access token it issued (invalid_token); refresh tokens still work. */
    forgetAllAccessTokens(): number {
        const count = this.byAccess.size;
        this.byAccess.clear();
        return count;
    }

    /** Fault injection: every live access token is expired as of now (refresh tokens still work). */
    expireAllAccessTokens(): number {
        const now = this.clock.nowSeconds();
        let count = 0;
        for (const grant of this.byAccess.values()) {
            if (grant.expires > now) {
                grant.expires = now;
                count++;
            }
        }
        return count;
    }
}
