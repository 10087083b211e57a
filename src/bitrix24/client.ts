import { EventEmitter } from 'node:events';

import type { Authenticator } from './auth/authenticator';
import { OAuthAuth } from './auth/oauth-auth';
import { DEFAULT_OAUTH_SERVER, type OAuthTokens, type TokenStore } from './auth/tokens';
import { WebhookAuth } from './auth/webhook-auth';
import { BATCH_LIMIT, prepareCommands, type BatchCommand, type BatchItem } from './batch';
import { Dispatcher, type DispatchStats } from './dispatcher';
import { isObject, type RestResponse } from './envelope';
import { invalidArgument, invalidConfig, wrongAuthType } from './errors';
import type { BucketProfile } from './limits/leaky-bucket';
import { limiterFor, RATE_PROFILES, type PortalLimiter, type ThrottleEvent } from './limits/portal-limiter';
import { isRepeatable, needsApplicationAuth, normalizeMethod } from './methods';
import { parsePortalUrl, parseWebhookUrl, portalHost } from './portal-url';
import { Redactor } from './redact';
import { HttpTransport } from './transport';

export type ClientAuthOptions =
    | { type: 'webhook'; webhookUrl: string }
    | {
          type: 'oauth';
          clientId?: string;
          clientSecret?: string;
          /** Token server used until a `server_endpoint` is known; default https://oauth.bitrix.info. */
          oauthServer?: string;
          tokens?: OAuthTokens;
          store?: TokenStore;
          /** See StoredTokens.basis. */
          basis?: string;
      };

export interface Bitrix24ClientOptions {
    portalUrl: string;
    auth: ClientAuthOptions;
    /** The portal's leaky bucket; default standard (50 burst, 2 per second). */
    rateLimit?: BucketProfile;
    /** The per-method operating-time limit of the portal in seconds; default 480. */
    operatingLimitSeconds?: number;
    /** Per request; the portal itself cuts requests at 60 s. Default 70 s. */
    timeoutMs?: number;
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
export class Bitrix24Client extends EventEmitter<{ throttled: [ThrottleEvent]; tokens: [OAuthTokens] }> {
    readonly portal: URL;
    readonly auth: Authenticator;
    readonly limiter: PortalLimiter;
    private readonly http: HttpTransport;
    private readonly redactor = new Redactor();
    private readonly dispatcher: Dispatcher;
    private readonly onThrottled = (event: ThrottleEvent) => this.emit('throttled', event);

    constructor(options: Bitrix24ClientOptions) {
        super();
        this.portal = parsePortalUrl(options.portalUrl);
        const profile = checkProfile(options.rateLimit ?? RATE_PROFILES.standard);
        this.http = new HttpTransport(options.timeoutMs ?? 70_000);
        this.auth = this.createAuth(options.auth);
        this.redactor.add(...this.auth.secrets());
        this.limiter = limiterFor(portalHost(this.portal), profile, options.operatingLimitSeconds);
        this.limiter.on('throttled', this.onThrottled);
        const log = options.log ?? (() => undefined);
        this.dispatcher = new Dispatcher({
            auth: this.auth,
            http: this.http,
            limiter: this.limiter,
            redactor: this.redactor,
            mergeCalls: options.mergeCalls ?? true,
            log: (level, message) => log(level, this.redactor.redact(message)),
        });
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

    /** Pages of a list method, following `next` (docs/bitrix24.md §9). */
    async *pages<T = unknown>(
        method: string,
        params: Record<string, unknown> = {},
        options: CallOptions = {},
    ): AsyncGenerator<T[]> {
        let start: number | undefined = 0;
        while (start !== undefined) {
            const response: RestResponse = await this.call(method, { ...params, start }, options);
            yield rowsOf<T>(response.result);
            start = response.next;
        }
    }

    /**
     * Every row of a list method: the first page tells the total, the other pages are read with
     * `batch`, 50 pages per request.
     */
    async listAll<T = unknown>(
        method: string,
        params: Record<string, unknown> = {},
        options: CallOptions = {},
    ): Promise<T[]> {
        const first = await this.call(method, { ...params, start: 0 }, options);
        const rows = rowsOf<T>(first.result);
        if (first.next === undefined || first.total === undefined) return rows;
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
                oauthServer: checkOAuthServer(options.oauthServer),
            },
            tokens: options.tokens ?? {},
            store: options.store,
            basis: options.basis,
            http: this.http,
        });
        auth.on('tokens', (tokens) => {
            this.redactor.add(tokens.accessToken, tokens.refreshToken, tokens.applicationToken);
            this.emit('tokens', tokens);
        });
        return auth;
    }
}

/** The rows of a list reply: an array, or the one array inside (`{items: [...]}`, `{tasks: [...]}`). */
export function rowsOf<T>(result: unknown): T[] {
    if (Array.isArray(result)) return result as T[];
    if (isObject(result)) {
        const arrays = Object.values(result).filter(Array.isArray);
        if (arrays.length === 1) return arrays[0] as T[];
    }
    return [];
}

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

function checkOAuthServer(value: string | undefined): string {
    const server = value || DEFAULT_OAUTH_SERVER;
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
