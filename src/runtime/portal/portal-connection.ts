import { EventEmitter } from 'node:events';

import {
    Bitrix24Client,
    Bitrix24Error,
    FileTokenStore,
    type TokenStore,
    LocalCode,
    invalidArgument,
    invalidConfig,
    OAuthAuth,
    OfflineQueue,
    portalHost,
    type OAuthTokens,
    type PlanFeature,
    type RequestOutcome,
    type ThrottleEvent,
} from '../../bitrix24';
import type { SharedStore } from '../../bitrix24/storage/redis';
import { probeToken } from './app-info-probe';
import { CloseHolds } from './close-holds';
import { connectionReport, type ConnectionReport } from './connection-report';
import { installTokens } from './install-callback';
import { PlanFeatures } from './plan-features';
import { rateProfile, type PortalSettings } from './portal-settings';
import { chooseTokens } from './token-choice';
import { statusRegistry } from '../status/status-registry';

export interface PortalEnvironment {
    /** Where rotated tokens are kept; absent = memory only. */
    tokenFile?: string;
    /** Where rotated tokens are kept, instead of `tokenFile` (an installation's document). */
    tokenStore?: TokenStore;
    /**
     * The connection is not used and never opens: the portal node of an application installed
     * on many portals, whose installations have their own. Every call rejects with this error.
     */
    unused?: Error;
    /** The runtime's credential secret; encrypts the token file when set. */
    credentialSecret?: string;
    log: (level: 'debug' | 'warn' | 'error', message: string) => void;
    /** Its row in the status, for an installation of an application on many portals. */
    status?: { nodeId: string; memberId: string };
    /** Several instances: the token pair and the portal's limits live in this shared store. */
    shared?: Pick<SharedStore, 'tokens' | 'limits'>;
}

export type PortalState = 'starting' | 'ready' | 'unauthorized' | 'failed';

/**
 * How long close waits for the closing work of the nodes that use the portal: less than
 * Node-RED's 15 s close timeout (docs/node-red.md §2.5), so a stuck call is cut off here first.
 */
const CLOSE_HOLD_MS = 12_000;

/**
 * The portal as the flow nodes use it: one client per config node, its OAuth tokens (file or
 * credentials), the installation callback and the authorisation-code flow. No Node-RED here.
 */
export class PortalConnection extends EventEmitter<{
    throttled: [ThrottleEvent];
    state: [PortalState];
    /** The portal was renamed and confirmed (member_id): its new address, once. */
    portalMoved: [string];
    /** One request to the portal came back or failed. */
    request: [RequestOutcome];
    /** A call or batch of this portal failed with this error. */
    failed: [Bitrix24Error];
}> {
    readonly ready: Promise<void>;
    private clientInstance: Bitrix24Client | undefined;
    private failure: Error | undefined;
    private stateValue: PortalState = 'starting';
    private readonly holds = new CloseHolds();
    private readonly planFeatures = new PlanFeatures();
    private blockedBy: Bitrix24Error | undefined;

    constructor(
        readonly settings: PortalSettings,
        private readonly env: PortalEnvironment,
    ) {
        super();
        this.ready = this.open().catch((err: unknown) => {
            this.failure = err instanceof Error ? err : new Error(String(err));
            this.setState('failed');
        });
        if (!env.unused) statusRegistry.add(this, env.status);
    }

    get state(): PortalState {
        return this.stateValue;
    }

    get authConnector(): string {
        return this.settings.authConnector;
    }

    /**
     * The auth_connector a node works with: its own, else the portal's; undefined for none. It
     * selects the queue, so a node binds, reads and confirms with the same one (docs/bitrix24.md §11).
     */
    connectorFor(own: string): string | undefined {
        return own || this.settings.authConnector || undefined;
    }

    /** The portal's address: the configured one, or where it moved (`portalMoved`). */
    get portalUrl(): string {
        return this.clientInstance?.portal.origin ?? this.settings.portalUrl;
    }

    get host(): string {
        return portalHost(this.portalUrl);
    }

    /**
     * The client, once the token file is read; rejects with the configuration error, if any, and
     * with WRONG_LICENSE when the portal's plan lacks one of the `features` the caller's calls
     * need (asked once per connection). A webhook is not asked: it cannot use offline events
     * and its calls ignore auth_connector (docs/bitrix24.md §0.1, §11).
     */
    async client(features: readonly PlanFeature[] = []): Promise<Bitrix24Client> {
        await this.ready;
        if (this.blockedBy) throw this.blockedBy;
        const client = this.clientInstance;
        if (!client) throw this.failure ?? new Bitrix24Error({ code: LocalCode.Closed });
        if (features.length > 0 && client.auth.kind === 'oauth') {
            await this.planFeatures.require(client, features);
        }
        return client;
    }

    async queue(features: readonly PlanFeature[] = []): Promise<OfflineQueue> {
        return new OfflineQueue(await this.client(features));
    }

    /** The token that proves a call comes from the portal (ONOFFLINEEVENT), if known. */
    async applicationToken(): Promise<string | undefined> {
        await this.ready;
        const client = this.clientInstance;
        if (!client) throw this.failure ?? new Bitrix24Error({ code: LocalCode.Closed });
        return client.auth instanceof OAuthAuth ? client.auth.applicationToken : undefined;
    }

    /** The client even while blocked: the rare check whether a blocked portal works again. */
    async unblockedClient(): Promise<Bitrix24Client> {
        await this.ready;
        if (!this.clientInstance) throw this.failure ?? new Bitrix24Error({ code: LocalCode.Closed });
        return this.clientInstance;
    }

    /** While blocked, every call fails at once with `reason` (a portal that stopped paying, ...). */
    block(reason: Bitrix24Error): void {
        this.blockedBy = reason;
    }

    unblock(): void {
        this.blockedBy = undefined;
    }

    get blocked(): Bitrix24Error | undefined {
        return this.blockedBy;
    }

    /** Accepts the installation callback's tokens once they are shown to work on this portal. */
    async install(form: Record<string, unknown>): Promise<void> {
        const auth = await this.oauth();
        const tokens = installTokens(form, this.portalUrl, this.settings.oauthServer);
        await this.verify(tokens);
        await auth.adopt(tokens);
        this.setState('ready');
    }

    /** Takes tokens already checked by the caller (an application's installation), stored before use. */
    async adopt(tokens: OAuthTokens): Promise<void> {
        const auth = await this.oauth();
        await auth.adopt(tokens);
        this.setState('ready');
    }

    /** The portal's authorisation page for the code flow (docs/bitrix24.md §7). */
    authorizeUrl(state: string): string {
        const url = new URL('/oauth/authorize/', this.portalUrl);
        url.searchParams.set('client_id', this.settings.credentials.clientId ?? '');
        url.searchParams.set('state', state);
        return url.href;
    }

    /** `serverDomain`: the authorize redirect's `server_domain`, the token server to ask. */
    async completeAuthorization(code: string, serverDomain?: string): Promise<void> {
        const auth = await this.oauth();
        await auth.exchangeCode(code, serverDomain);
        this.setState('ready');
    }

    async testConnection(): Promise<ConnectionReport> {
        return connectionReport(await this.client());
    }

    /**
     * Keeps the client open until `work` settles: the closing work of a node that uses this
     * portal (an unbind, a last clear, a read under way). A deploy calls the close handlers of a
     * flow's nodes before those of its config nodes (global ones last) without waiting for any,
     * so a node hands its work over here from its own close handler (docs/node-red.md §2.5);
     * otherwise a full deploy closes the client under it and the work never goes out.
     */
    holdOpen(work: Promise<unknown>): void {
        this.holds.add(work);
    }

    async close(): Promise<void> {
        statusRegistry.remove(this);
        this.removeAllListeners();
        await this.holds.settled(CLOSE_HOLD_MS);
        await this.clientInstance?.close();
    }

    private async open(): Promise<void> {
        const { settings, env } = this;
        if (env.unused) {
            this.failure = env.unused;
            return;
        }
        const common = {
            portalUrl: settings.portalUrl,
            rateLimit: rateProfile(settings),
            log: env.log,
            sharedLimits: env.shared?.limits(portalHost(settings.portalUrl), rateProfile(settings)),
        };
        if (settings.authType === 'webhook') {
            this.attach(
                new Bitrix24Client({
                    ...common,
                    auth: { type: 'webhook', webhookUrl: settings.credentials.webhookUrl ?? '' },
                }),
            );
            return;
        }
        const store =
            env.tokenStore ??
            (env.tokenFile ? new FileTokenStore(env.tokenFile, env.credentialSecret) : undefined);
        const stored = await store?.load().catch((err: unknown) => {
            env.log(
                'warn',
                `the token file could not be read (${(err as Error).message}); using the deployed credentials`,
            );
            return undefined;
        });
        const choice = chooseTokens(settings.credentials, stored);
        env.log('debug', `OAuth tokens from the ${choice.source}`);
        const moved = movedAddress(settings.portalUrl, choice.tokens);
        this.attach(
            new Bitrix24Client({
                ...common,
                portalUrl: moved ?? settings.portalUrl,
                auth: {
                    type: 'oauth',
                    clientId: settings.credentials.clientId,
                    clientSecret: settings.credentials.clientSecret,
                    oauthServer: settings.oauthServer || undefined,
                    tokens: choice.tokens,
                    store,
                    basis: choice.basis,
                    // One chain per portal and application, whichever instance refreshes it.
                    shared: env.shared?.tokens(
                        `${portalHost(settings.portalUrl)}-${settings.credentials.clientId ?? ''}`,
                    ),
                },
            }),
        );
        if (!(choice.tokens.accessToken || choice.tokens.refreshToken)) this.setState('unauthorized');
        if (moved) this.emit('portalMoved', moved);
    }

    private attach(client: Bitrix24Client): void {
        this.clientInstance = client;
        client.on('throttled', (event) => this.emit('throttled', event));
        client.on('portalMoved', (url) => this.emit('portalMoved', url));
        client.on('request', (outcome) => this.emit('request', outcome));
        client.on('failed', (err) => this.emit('failed', err));
        this.setState('ready');
    }

    private async oauth(): Promise<OAuthAuth> {
        const client = await this.client();
        if (!(client.auth instanceof OAuthAuth)) {
            throw invalidConfig(
                'authType',
                'install-webhook',
                'this portal node uses a webhook; switch it to OAuth to install the application',
            );
        }
        return client.auth;
    }

    /**
     * `app.info` with the offered access token, on the configured portal (docs/bitrix24.md §6, §7): the
     * token must work there and belong to this node's application, not to another one installed
     * on the same portal.
     */
    private async verify(tokens: OAuthTokens): Promise<void> {
        const probe = await probeToken(this.portalUrl, tokens.accessToken ?? '', rateProfile(this.settings));
        const code = probe.clientId;
        const clientId = this.settings.credentials.clientId ?? '';
        if (code !== clientId) {
            throw invalidArgument(
                'auth',
                'install-other-app',
                `the installation callback carries tokens of another application than ${clientId || "this node's (no client id is set)"}`,
                { clientId },
            );
        }
    }

    private setState(state: PortalState): void {
        this.stateValue = state;
        this.emit('state', state);
    }
}

/**
 * Where a renamed portal lives, as confirmed before a restart and kept with the tokens, while the
 * deployed portal URL is still the one it moved from; a portal URL changed since wins.
 */
function movedAddress(portalUrl: string, tokens: OAuthTokens): string | undefined {
    const { movedFrom, movedTo } = tokens;
    if (!movedFrom || !movedTo) return undefined;
    try {
        return new URL(portalUrl).origin === movedFrom && new URL(movedTo).origin === movedTo
            ? movedTo
            : undefined;
    } catch {
        return undefined;
    }
}
