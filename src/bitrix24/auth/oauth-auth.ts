import { EventEmitter } from 'node:events';

import { errorFromBody, isObject } from '../envelope';
import { Bitrix24Error, invalidConfig, LocalCode } from '../errors';
import { encodeQuery } from '../query-string';
import type { HttpTransport } from '../transport';
import type { Authenticator, RequestCredentials } from './authenticator';
import { fingerprint } from './file-token-store';
import type { SharedTokenPair } from './shared-tokens';
import type { OAuthTokens, StoredTokens, TokenStore } from './tokens';
import { isTrustedOAuthServer, tokenServerOfDomain, tokensFromGrant } from './tokens';

export interface OAuthApp {
    clientId: string;
    clientSecret: string;
    /**
     * The configured token server, e.g. `https://oauth.bitrix.info`: used when Bitrix24 named none,
     * or named one that is neither its own nor this (docs/bitrix24.md §7).
     */
    oauthServer: string;
}

export interface OAuthAuthOptions {
    portal: URL;
    app: OAuthApp;
    tokens: OAuthTokens;
    store?: TokenStore;
    /**
     * The pair shared with other processes (a shared store): refreshes then take its lock, re-read
     * it and store the new pair with compare-and-set (see SharedTokenPair). Without it, as before.
     */
    shared?: SharedTokenPair;
    /** Fingerprint basis of the deployed credentials (see StoredTokens.basis). */
    basis?: string;
    http: HttpTransport;
}

const REFRESHABLE = new Set(['expired_token', 'invalid_token']);
const REFRESH_ATTEMPTS = 3;
/** The refresh lock's lifetime, extended while the refresh runs; a holder that died frees it after this. */
const REFRESH_LOCK_MS = 15_000;
/** How long a process waits for another's refresh before it reports the store as the problem. */
const REFRESH_WAIT_MS = 20_000;
const REFRESH_POLL_MS = 100;
/** How long a process that met invalid_grant watches the store for the pair another one got. */
const INVALID_GRANT_WAIT_MS = 5_000;

/**
 * OAuth application auth (docs/bitrix24.md §7). Refreshes only when the portal says the token expired,
 * one refresh at a time (concurrent failures wait for it), and stores the rotated pair before
 * anyone uses it: the old refresh token is spent the moment the server answers.
 */
export class OAuthAuth extends EventEmitter<{ tokens: [OAuthTokens] }> implements Authenticator {
    readonly kind = 'oauth';
    readonly budgetKey: string;
    private base: string;
    private tokens: OAuthTokens;
    private refreshing: Promise<void> | undefined;
    private refreshCount = 0;

    constructor(private readonly options: OAuthAuthOptions) {
        super();
        this.base = `${options.portal.origin}/rest/`;
        this.budgetKey = `oauth:${options.app.clientId}`;
        this.tokens = { ...options.tokens };
    }

    get restBase(): string {
        return this.base;
    }

    get refreshes(): number {
        return this.refreshCount;
    }

    get applicationToken(): string | undefined {
        return this.tokens.applicationToken;
    }

    get hasTokens(): boolean {
        return Boolean(this.tokens.accessToken || this.tokens.refreshToken);
    }

    async credentials(): Promise<RequestCredentials> {
        if (!this.tokens.accessToken) {
            if (!this.tokens.refreshToken) throw notAuthorized();
            await this.refresh();
        }
        const token = this.tokens.accessToken as string;
        return { params: { auth: token }, token };
    }

    async recover(error: Bitrix24Error, sent: RequestCredentials): Promise<boolean> {
        if (!REFRESHABLE.has(error.code)) return false;
        if (sent.token !== this.tokens.accessToken) return true;
        await this.refresh();
        return true;
    }

    /** Starts a refresh, or joins the one in flight. */
    refresh(): Promise<void> {
        const { shared } = this.options;
        this.refreshing ??= (
            shared
                ? this.refreshShared(shared)
                : this.grant({ grant_type: 'refresh_token', refresh_token: this.tokens.refreshToken })
        ).finally(() => (this.refreshing = undefined));
        return this.refreshing;
    }

    /**
     * Exchanges the code of the authorisation-code flow (valid 30 s) for tokens, at the token
     * server the authorize redirect named (`server_domain`) when it may be trusted.
     */
    exchangeCode(code: string, serverDomain?: string): Promise<void> {
        const server = serverDomain
            ? tokenServerOfDomain(serverDomain, this.options.app.oauthServer)
            : undefined;
        return this.grant({ grant_type: 'authorization_code', code }, server);
    }

    /**
     * The portal redirects to `origin`: whether it is the same portal, moved. Asks the token
     * server, never the new host: a refresh answers the portal's current `client_endpoint` and
     * its `member_id`, which must match the one known before. Tokens pasted into the node carry
     * no `member_id`: then the token server's answer for this installation's own refresh token
     * is what names the portal. On success, calls go there.
     */
    async confirmMove(origin: string): Promise<boolean> {
        const memberId = this.tokens.memberId;
        if (!this.tokens.refreshToken) return false;
        await this.refresh();
        const endpoint = this.tokens.clientEndpoint;
        if (!this.tokens.memberId || (memberId !== undefined && this.tokens.memberId !== memberId))
            return false;
        if (!endpoint || originOf(endpoint) !== origin) return false;
        this.base = `${origin}/rest/`;
        // Kept with the tokens, so that a restart goes to the new address without asking again;
        // if the write fails, the next start merely asks again.
        const movedFrom = this.tokens.movedFrom ?? this.options.portal.origin;
        await this.persist({ ...this.tokens, movedFrom, movedTo: origin }).catch(() => undefined);
        return true;
    }

    /** Adopts tokens that arrived another way (installation callback); they are stored first. */
    async adopt(tokens: OAuthTokens): Promise<void> {
        await this.persist({ ...this.tokens, ...definedOnly(tokens) });
    }

    secrets(): string[] {
        const { accessToken, refreshToken, applicationToken } = this.tokens;
        return [this.options.app.clientSecret, accessToken, refreshToken, applicationToken].filter(
            (v): v is string => typeof v === 'string',
        );
    }

    /**
     * A refresh among several processes: one at a time under the store's lock. A process that
     * finds the lock taken waits for the pair the holder stores; the holder re-reads the pair
     * first (it may be newer than the one in memory), spends the stored refresh token, and stores
     * the new pair with compare-and-set before it is used. Fails with STORE_UNREACHABLE, and
     * refreshes nothing, while the store is away.
     */
    private async refreshShared(shared: SharedTokenPair): Promise<void> {
        const spent = this.tokens.refreshToken;
        const giveUpAt = Date.now() + REFRESH_WAIT_MS;
        for (;;) {
            if (await this.adoptNewer(shared, spent)) return;
            const lock = await shared.lockForRefresh(REFRESH_LOCK_MS);
            if (lock) {
                // A refresh with its retries may outlast the lock: kept while it runs.
                const keep = setInterval(
                    () => void shared.extendLock(lock, REFRESH_LOCK_MS).catch(() => undefined),
                    REFRESH_LOCK_MS / 3,
                );
                try {
                    await this.refreshHolding(shared, spent);
                } finally {
                    clearInterval(keep);
                    await shared.unlock(lock).catch(() => undefined);
                }
                return;
            }
            if (Date.now() > giveUpAt) {
                throw new Bitrix24Error({
                    code: LocalCode.Timeout,
                    method: 'oauth/token',
                    retryable: true,
                    description: 'another instance holds the refresh lock and stored no new tokens in time',
                });
            }
            await new Promise((resolve) => setTimeout(resolve, REFRESH_POLL_MS));
        }
    }

    private async refreshHolding(shared: SharedTokenPair, spent: string | undefined): Promise<void> {
        const stored = await shared.read();
        if (this.adoptIfNewer(stored, spent)) return;
        const refreshToken = stored?.refreshToken ?? this.tokens.refreshToken;
        let granted: OAuthTokens;
        try {
            granted = await this.grantTokens({ grant_type: 'refresh_token', refresh_token: refreshToken });
        } catch (err) {
            // Spent already? Then by another process (whose lock ran out under a slow refresh):
            // its pair reaches the store once its answer does.
            if (err instanceof Bitrix24Error && err.code === 'invalid_grant') {
                const giveUpAt = Date.now() + INVALID_GRANT_WAIT_MS;
                do {
                    if (await this.adoptNewer(shared, refreshToken)) return;
                    await new Promise((resolve) => setTimeout(resolve, REFRESH_POLL_MS * 2));
                } while (Date.now() < giveUpAt);
            }
            throw err;
        }
        const next = { ...this.tokens, ...definedOnly(granted) };
        // Only if the stored refresh token is still the one spent; otherwise the chain forked
        // (the lock ran out under a slow refresh) and the pair stored since stays the shared one.
        // The old refresh token is spent: the new pair is kept in memory even if the store fails.
        try {
            await shared.compareAndSet(stored ? refreshToken : undefined, this.stamped(next));
        } finally {
            await this.persist(next, false);
        }
    }

    /** Takes the stored pair when its refresh token is no longer `spent`: another process refreshed. */
    private async adoptNewer(shared: SharedTokenPair, spent: string | undefined): Promise<boolean> {
        return this.adoptIfNewer(await shared.read(), spent);
    }

    private adoptIfNewer(stored: StoredTokens | undefined, spent: string | undefined): boolean {
        if (!stored?.refreshToken || stored.refreshToken === spent) return false;
        const { basis: _basis, savedAt: _savedAt, ...tokens } = stored;
        this.tokens = { ...this.tokens, ...definedOnly(tokens) };
        this.emit('tokens', this.tokens);
        return true;
    }

    private async grant(fields: Record<string, string | undefined>, server?: string): Promise<void> {
        const granted = await this.grantTokens(fields, server);
        await this.persist({ ...this.tokens, ...definedOnly(granted) });
    }

    private async grantTokens(
        fields: Record<string, string | undefined>,
        server?: string,
    ): Promise<OAuthTokens> {
        const { clientId, clientSecret } = this.options.app;
        if (!clientId || !clientSecret) {
            throw invalidConfig(
                'clientSecret',
                'oauth-app',
                'the client id and client secret of the local application are needed to get new tokens',
            );
        }
        if (fields.grant_type === 'refresh_token' && !fields.refresh_token) throw notAuthorized();
        const body = encodeQuery({ ...fields, client_id: clientId, client_secret: clientSecret });
        const reply = await this.postWithRetry(body, server ?? this.tokenServer());
        let json: unknown;
        try {
            json = JSON.parse(reply.body);
        } catch {
            json = undefined;
        }
        if (!isObject(json) || 'error' in json || typeof json.access_token !== 'string') {
            throw isObject(json) && 'error' in json
                ? errorFromBody('oauth/token', reply.status, json)
                : new Bitrix24Error({
                      code: LocalCode.BadResponse,
                      status: reply.status,
                      method: 'oauth/token',
                      description: `HTTP ${reply.status} from the OAuth server without tokens`,
                  });
        }
        this.refreshCount += 1;
        const granted = tokensFromGrant(json);
        // The server that gave these tokens is the one to refresh them at, kept with them.
        if (server && !granted.serverEndpoint) granted.serverEndpoint = `${server}/rest/`;
        return granted;
    }

    /** Network failures are retried: if the server did spend the old token, invalid_grant says so next. */
    private async postWithRetry(body: string, server: string) {
        for (let attempt = 1; ; attempt++) {
            try {
                return await this.options.http.post({
                    url: `${server}/oauth/token/`,
                    body,
                    contentType: 'application/x-www-form-urlencoded',
                });
            } catch (err) {
                if (attempt >= REFRESH_ATTEMPTS) throw err;
                await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
            }
        }
    }

    /**
     * Stores, then uses. If the disk write fails the new tokens are still kept in memory, since
     * the old refresh token is already spent, and the write error is reported to the caller.
     */
    private async persist(tokens: OAuthTokens, toShared = true): Promise<void> {
        try {
            if (toShared) await this.options.shared?.write(this.stamped(tokens));
            await this.options.store?.save(this.stamped(tokens));
        } finally {
            this.tokens = tokens;
            this.emit('tokens', tokens);
        }
    }

    private stamped(tokens: OAuthTokens): StoredTokens {
        return {
            ...tokens,
            basis: this.options.basis ?? fingerprint(this.options.tokens.refreshToken),
            savedAt: Date.now(),
        };
    }

    /**
     * The origin of the last `server_endpoint` (docs/bitrix24.md §7) when it is one of Bitrix24's
     * token servers or the configured one; else the configured one. Refreshes carry the client
     * secret, so they never go to a server someone else named.
     */
    private tokenServer(): string {
        const { serverEndpoint } = this.tokens;
        const { oauthServer } = this.options.app;
        return serverEndpoint && isTrustedOAuthServer(serverEndpoint, oauthServer)
            ? (originOf(serverEndpoint) ?? oauthServer)
            : new URL(oauthServer).origin;
    }
}

function notAuthorized(): Bitrix24Error {
    return new Bitrix24Error({ code: LocalCode.NotAuthorized });
}

function originOf(url: string): string | undefined {
    try {
        return new URL(url).origin;
    } catch {
        return undefined;
    }
}

function definedOnly<T extends object>(value: T): Partial<T> {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
