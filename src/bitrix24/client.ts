import { EventEmitter } from 'node:events';

import type { Authenticator } from './auth/authenticator';
import { OAuthAuth } from './auth/oauth-auth';
import type { SharedTokenPair } from './auth/shared-tokens';
import { defaultOAuthServer, type OAuthTokens, type TokenStore } from './auth/tokens';
import { WebhookAuth } from './auth/webhook-auth';
import { BATCH_LIMIT, prepareCommands, type BatchCommand, type BatchItem } from './batch';
import { Dispatcher, type DispatchStats } from './dispatcher';
import { isObject, type RestResponse } from './envelope';
import { invalidArgument, invalidConfig, wrongAuthType } from './errors';
import { followPages, nextStart, rowsOf } from './paging';
import type { BucketProfile } from './limits/leaky-bucket';
import { limiterFor, RATE_PROFILES, type PortalLimiter, type ThrottleEvent } from './limits/portal-limiter';
import { isRepeatable, needsApplicationAuth, normalizeMethod } from './methods';
import type { SharedLimits } from './limits/shared-limits';
import { parsePortalUrl, parseWebhookUrl, portalHost } from './portal-url';
import { Redactor } from './redact';
import { HttpTransport, type Redirect } from './transport';

export type ClientAuthOptions =
    | { type: 'webhook'; webhookUrl: string }
    | {
          type: 'oauth';
          clientId?: string;
          clientSecret?: string;
          /**
           * Token server used when Bitrix24 names none (or one not its own); default by the portal's
           * region: https://oauth.bitrix24.tech for .ru, .by, .kz portals, else https://oauth.bitrix.info.
           */
          oauthServer?: string;
          tokens?: OAuthTokens;
          store?: TokenStore;
          /** See StoredTokens.basis. */
          basis?: string;
          /** The pair shared with other processes through a shared store (see SharedTokenPair). */
          shared?: SharedTokenPair;
      };

export interface Bitrix24ClientOptions {
    portalUrl: string;
    auth: ClientAuthOptions;
    /** The portal's leaky bucket; default standard (50 burst, 2 per second). */
    rateLimit?: BucketProfile;
    /** The per-method operating-time limit of the portal in seconds; default 480. */
    operatingLimitSeconds?: number;
    /** The portal's limits kept in a shared store, so that several processes together keep to them. */
    sharedLimits?: SharedLimits;
    /** Longest silence on the socket during a request; the portal itself cuts requests at 60 s. Default 70 s. */
    timeoutMs?: number;
    /** Longest time one request may take, to the last byte of the reply, however it trickles. Default 90 s. */
    requestTimeoutMs?: number;
    /** Longest time a call may take from its first request, retries included. Default 120 s. */
    callTimeoutMs?: number;
    /** Largest reply accepted, on the wire and once decompressed. Default 32 MiB. */
    maxReplyBytes?: number;
    /** Merge calls that wait at the same moment into one `batch`; default true. */
    mergeCalls?: boolean;
    log?: (level: 'debug' | 'warn', message: string) => void;
}

export interface CallOptions {
    /** Sent as `auth_connector` (docs/bitrix24.md §11): selects a queue, and keeps writes from echoing. */
    authConnector?: string;
    /** The caller knows this write may run twice without harm, so it may be resent after a failure. */
    repeatable?: boolean;
    /**
     * The call is in no hurry: it may wait up to this many ms for other calls to share its
     * request (a `batch`), e.g. confirmations of several reservations. Default 0.
     */
    lingerMs?: number;
}

export interface BatchOptions {
    halt?: boolean;
    authConnector?: string;
}

export interface ClientStats extends DispatchStats {
    refreshes: number;
}

/**
 * A Bitrix24 REST client: call, batch and paging, under the portal's limits, with OAuth refresh.
 * It knows nothing of Node-RED. Every error it gives is a Bitrix24Error free of secrets.
 */
export class Bitrix24Client extends EventEmitter<{
    throttled: [ThrottleEvent];
    tokens: [OAuthTokens];
    /** The portal was renamed: its old address redirected here, and it is the same portal (member_id). */
    portalMoved: [string];
}> {
    private portalUrl: URL;
    readonly auth: Authenticator;
    readonly limiter: PortalLimiter;
    private readonly http: HttpTransport;
    private readonly redactor = new Redactor();
    private readonly dispatcher: Dispatcher;
    private readonly onThrottled = (event: ThrottleEvent) => this.emit('throttled', event);
    private moving: Promise<boolean> | undefined;

    constructor(options: Bitrix24ClientOptions) {
        super();
        this.portalUrl = parsePortalUrl(options.portalUrl);
        const profile = checkProfile(options.rateLimit ?? RATE_PROFILES.standard);
        this.http = new HttpTransport({
            idleMs: positive(options.timeoutMs, 70_000, 'timeoutMs'),
            requestMs: positive(options.requestTimeoutMs, 90_000, 'requestTimeoutMs'),
            maxReplyBytes: positive(options.maxReplyBytes, 32 * 1024 * 1024, 'maxReplyBytes'),
        });
        this.auth = this.createAuth(options.auth);
        this.redactor.add(...this.auth.secrets());
        this.limiter = limiterFor(
            portalHost(this.portal),
            profile,
            options.operatingLimitSeconds,
            options.sharedLimits,
        );
        this.limiter.on('throttled', this.onThrottled);
        const log = options.log ?? (() => undefined);
        this.dispatcher = new Dispatcher({
            auth: this.auth,
            http: this.http,
            limiter: this.limiter,
            redactor: this.redactor,
            mergeCalls: options.mergeCalls ?? true,
            callTimeoutMs: positive(options.callTimeoutMs, 120_000, 'callTimeoutMs'),
            followRedirect: (redirect, from) => this.followRedirect(redirect, from),
            log: (level, message) => log(level, this.redactor.redact(message)),
        });
    }

    /** The portal's address: the configured one, or where it moved (see `portalMoved`). */
    get portal(): URL {
        return this.portalUrl;
    }

    get stats(): ClientStats {
        return {
            ...this.dispatcher.stats,
            refreshes: this.auth instanceof OAuthAuth ? this.auth.refreshes : 0,
        };
    }

    /** Calls one method; errors (including a Bitrix24 error reply) reject with Bitrix24Error. */
    call<T = unknown>(
        method: string,
        params: Record<string, unknown> = {},
        options: CallOptions = {},
    ): Promise<RestResponse<T>> {
        return new Promise((resolve, reject) => {
            const name = normalizeMethod(method);
            if (!isObject(params)) {
                throw invalidArgument(
                    'params',
                    'params-not-object',
                    `the params of ${name} must be an object`,
                    { method: name },
                );
            }
            if (this.auth.kind === 'webhook' && needsApplicationAuth(name)) throw wrongAuthType(name);
            this.dispatcher.submit({
                kind: 'call',
                method: name,
                params,
                connector: options.authConnector || undefined,
                repeatable: options.repeatable ?? isRepeatable(name),
                lingerUntil: options.lingerMs ? Date.now() + options.lingerMs : 0,
                attempts: {},
                resolve: resolve as (response: RestResponse) => void,
                reject,
            });
        });
    }

    /**
     * Runs commands through `batch`, 50 per request, and returns one item per command in the
     * given order. A failing command is an item with `error`; it does not fail the others.
     * `$result[key]` references work between commands of the same 50.
     */
    async batch(commands: readonly BatchCommand[], options: BatchOptions = {}): Promise<BatchItem[]> {
        const prepared = prepareCommands(commands);
        const refused = prepared.commands.find((c) => needsApplicationAuth(c.method));
        if (refused && this.auth.kind === 'webhook') throw wrongAuthType(refused.method);
        const chunks: Promise<BatchItem[]>[] = [];
        for (let i = 0; i < prepared.commands.length; i += BATCH_LIMIT) {
            const part = prepared.commands.slice(i, i + BATCH_LIMIT);
            const keys = prepared.keys.slice(i, i + BATCH_LIMIT);
            chunks.push(
                new Promise((resolve, reject) =>
                    this.dispatcher.submit({
                        kind: 'batch',
                        commands: part,
                        keys,
                        halt: options.halt ?? false,
                        connector: options.authConnector || undefined,
                        repeatable: part.every((c) => isRepeatable(c.method)),
                        attempts: {},
                        resolve,
                        reject,
                    }),
                ),
            );
        }
        return (await Promise.all(chunks)).flat();
    }

    /**
     * Pages of a list method, following `next` (docs/bitrix24.md §9); where a build sends no `next`,
     * a full page is followed to the next one until a page comes back short.
     */
    async *pages<T = unknown>(
        method: string,
        params: Record<string, unknown> = {},
        options: CallOptions = {},
    ): AsyncGenerator<T[]> {
        yield* followPages<T>((start) => this.call(method, { ...params, start }, options), 0);
    }

    /**
     * Every row of a list method: the first page tells the total, the other pages are read with
     * `batch`, 50 pages per request. A build that tells no total (`total` 0 or absent, no `next`,
     * docs/bitrix24.md §15) is read page by page while the pages come back full.
     */
    async listAll<T = unknown>(
        method: string,
        params: Record<string, unknown> = {},
        options: CallOptions = {},
    ): Promise<T[]> {
        const first = await this.call(method, { ...params, start: 0 }, options);
        const rows = rowsOf<T>(first.result);
        if (first.next === undefined || !first.total) {
            const next = nextStart(first, 0, rows.length);
            if (next === undefined) return rows;
            for await (const page of followPages<T>(
                (start) => this.call(method, { ...params, start }, options),
                next,
            )) {
                rows.push(...page);
            }
            return rows;
        }
        const pageSize = first.next;
        const commands: BatchCommand[] = [];
        for (let start = first.next; start < first.total; start += pageSize) {
            commands.push({ method, params: { ...params, start } });
        }
        const items = await this.batch(commands, { authConnector: options.authConnector });
        for (const item of items) {
            if (item.error) throw item.error;
            rows.push(...rowsOf<T>(item.response?.result));
        }
        return rows;
    }

    /** Lets calls on their way finish (for up to `graceMs`), rejects the rest, frees the sockets. */
    async close(graceMs?: number): Promise<void> {
        this.limiter.off('throttled', this.onThrottled);
        await this.dispatcher.close(graceMs);
        this.http.close();
    }

    /**
     * A redirect from the portal. Followed only to the same portal under a new name, confirmed by
     * the token server (OAuthAuth.confirmMove): no token goes to the new host before. One
     * confirmation at a time; calls redirected meanwhile wait for it.
     */
    private async followRedirect(redirect: Redirect, from: string): Promise<boolean> {
        let target: string;
        try {
            target = new URL(redirect.location, from).origin;
        } catch {
            return false;
        }
        if (target === this.portalUrl.origin) return true;
        if (!(this.auth instanceof OAuthAuth) || new URL(from).origin !== this.portalUrl.origin) return false;
        const auth = this.auth;
        this.moving ??= auth.confirmMove(target).finally(() => (this.moving = undefined));
        if (!(await this.moving)) return false;
        if (this.portalUrl.origin !== target) {
            this.portalUrl = new URL(target);
            this.emit('portalMoved', target);
        }
        return true;
    }

    private createAuth(options: ClientAuthOptions): Authenticator {
        if (options.type === 'webhook') {
            const hook = parseWebhookUrl(options.webhookUrl);
            if (portalHost(hook.origin) !== portalHost(this.portal)) {
                throw invalidConfig(
                    'webhookUrl',
                    'webhook-other-portal',
                    `the webhook URL belongs to another portal than ${this.portal.host}`,
                    { host: this.portal.host },
                );
            }
            return new WebhookAuth(hook);
        }
        const auth = new OAuthAuth({
            portal: this.portal,
            app: {
                clientId: options.clientId ?? '',
                clientSecret: options.clientSecret ?? '',
                oauthServer: checkOAuthServer(options.oauthServer, this.portalUrl),
            },
            tokens: options.tokens ?? {},
            store: options.store,
            basis: options.basis,
            shared: options.shared,
            http: this.http,
        });
        auth.on('tokens', (tokens) => {
            this.redactor.add(tokens.accessToken, tokens.refreshToken, tokens.applicationToken);
            this.emit('tokens', tokens);
        });
        return auth;
    }
}

export { rowsOf } from './paging';

function checkProfile(profile: BucketProfile): BucketProfile {
    if (!Number.isInteger(profile.burst) || profile.burst < 1 || !(profile.rps > 0)) {
        throw invalidConfig(
            'rateLimit',
            'rate-limit',
            'the rate limit needs a burst of at least 1 request and a positive rate per second',
        );
    }
    return profile;
}

function positive(value: number | undefined, fallback: number, name: string): number {
    if (value === undefined) return fallback;
    if (!(value > 0) || !Number.isFinite(value)) {
        throw invalidConfig(name, 'positive-number', `${name} must be a positive number`, { name });
    }
    return value;
}

function checkOAuthServer(value: string | undefined, portal: URL): string {
    const server = value || defaultOAuthServer(portal);
    try {
        return parsePortalUrl(server).origin;
    } catch {
        throw invalidConfig(
            'oauthServer',
            'oauth-server',
            'the OAuth server must be an http(s) URL such as https://oauth.bitrix.info',
        );
    }
}
