// The control API's types: what `emulator.control` offers and answers (not part of Bitrix24).
import type { LimitsSetting } from '../limits/leaky-bucket';
import type { NewApp } from '../store/apps';
import type { CounterSnapshot } from './counters';
import type { Plan } from '../store/features';
import type { FaultSettings } from './faults';
import type { GeneratorSpec, GeneratorStatus } from './generator';
import type { ChangeResult, UserChange } from './user-change';

export type { CounterSnapshot } from './counters';

export interface TokenPair {
    accessToken: string;
    refreshToken: string;
    /** Unix seconds on the emulator's clock. */
    expires: number;
    userId: number;
    clientId: string;
}

export interface InstalledApp {
    clientId: string;
    clientSecret: string;
    applicationToken: string;
    memberId: string;
    scope: string[];
    accessToken: string;
    refreshToken: string;
    /** Unix seconds when accessToken expires, on the emulator's clock. */
    expires: number;
    userId: number;
    callbackStatus: number | null;
}

export interface InstallAppSpec extends NewApp {
    /** The installing user, whose tokens the app gets; default 1 (an administrator). */
    userId?: number;
}

export interface LimitsSpec {
    limits?: LimitsSetting;
    operatingLimitSeconds?: number;
    methodCostSeconds?: Record<string, number>;
    defaultMethodCostSeconds?: number;
    /** Forget the operating time already spent. */
    resetOperating?: boolean;
}

export interface ClockSpec {
    /** Set the clock to real time plus this many seconds. */
    offsetSeconds?: number;
    /** Move the clock forward (or back, if negative) by this many seconds. */
    advanceSeconds?: number;
    /** Stop the clock (true) or let it run again (false); while frozen only the two above move it. */
    freeze?: boolean;
}

export interface QueueRowView {
    ID: number;
    APP_ID: number;
    CLIENT_ID: string | null;
    CONNECTOR_ID: string;
    TIMESTAMP_X: string;
    ts: number;
    EVENT_NAME: string;
    EVENT_DATA: unknown;
    EVENT_ADDITIONAL: Record<string, unknown>;
    MESSAGE_ID: string;
    PROCESS_ID: string;
    ERROR: number;
}

/** Portal behaviours that vary between builds and between calm and busy portals. */
export interface QuirksSpec {
    /** event.offline.list without `next` and with `total` 0 (some self-hosted builds). */
    legacyPaging?: boolean;
    /** Offline rows are written this long after the answer. */
    rowDelayMs?: number;
    /** Rings and online events wait this long ... */
    ringDelayMs?: number;
    /** ... plus a random 0..ringJitterMs. */
    ringJitterMs?: number;
}

export interface AppStateSpec {
    active?: boolean;
    installed?: boolean;
    /** The subscription ran out: REST and refreshes answer PAYMENT_REQUIRED, no events. */
    paymentExpired?: boolean;
}

export interface EmulatorState {
    portalUrl: string;
    oauthServer: string;
    /** The token server the portal names (server_domain, server_endpoint). */
    tokenServer: string;
    memberId: string;
    plan: Plan;
    features: Record<string, boolean>;
    selfHosted: boolean;
    deleted: boolean;
    quirks: Required<QuirksSpec>;
    limits: LimitsSetting;
    operatingLimitSeconds: number;
    clock: { now: number; iso: string; offsetSeconds: number; frozen: boolean };
    apps: {
        clientId: string;
        active: boolean;
        installed: boolean;
        paymentExpired: boolean;
        scope: string[];
    }[];
    faults: FaultSettings;
}

export interface EmulatorControl {
    state(): EmulatorState;
    installApp(spec?: InstallAppSpec): Promise<InstalledApp>;
    setAppState(clientId: string, state: AppStateSpec): void;
    /** Removes the app's handlers (queued rows stay) and marks it not installed. */
    uninstallApp(clientId: string): void;
    issueTokens(spec?: { userId?: number; clientId?: string }): TokenPair;
    createWebhook(spec?: { userId?: number; scope?: string[] }): {
        url: string;
        userId: number;
        secret: string;
    };
    addUser(spec?: { admin?: boolean }): { id: number; admin: boolean };
    addSmartProcess(entityTypeId: number): void;
    userChange(change: UserChange): ChangeResult;
    startGenerator(spec: GeneratorSpec): GeneratorStatus;
    stopGenerator(): GeneratorStatus;
    generatorStatus(): GeneratorStatus;
    /** A new plan brings its tier's features; `features` switch some of them over it. */
    setPlan(plan: Plan, features?: Record<string, boolean>): void;
    setFeatures(features: Record<string, boolean>): void;
    setLimits(spec: LimitsSpec): void;
    setClock(spec: ClockSpec): { now: number; offsetSeconds: number; frozen: boolean };
    injectFaults(faults: Partial<FaultSettings>): FaultSettings;
    clearFaults(): void;
    /** Every access token expires now (refresh tokens still work). Returns how many. */
    expireAccessTokens(): number;
    /** The portal forgets every access token (401 invalid_token); refresh tokens still work. */
    revokeAccessTokens(): number;
    /** The portal is deleted (every REST request 410 PORTAL_DELETED), or back (false). */
    deletePortal(deleted?: boolean): void;
    /**
     * The portal gets a new address (a new listener, on `host` or the listen host): every earlier
     * address answers 302 to it; member_id stays. Returns the new and the previous portal URL.
     */
    renamePortal(spec?: { host?: string }): Promise<{ portalUrl: string; previousUrl: string }>;
    /** The token server the portal names from now on; null: the emulator's own OAuth listener. */
    setTokenServer(baseUrl: string | null): void;
    /**
     * Starts a second OAuth listener as the portal's regional token server and names it; the
     * first one then refuses this portal's apps (401 invalid_client) until setTokenServer.
     */
    startRegionalTokenServer(): Promise<{ tokenServer: string }>;
    setQuirks(spec: QuirksSpec): Required<QuirksSpec>;
    /**
     * Every access and refresh token issued since start (installation, refreshes, code
     * exchanges, issueTokens, the tokens sent with online events), retired or not, oldest first:
     * the values a secret scan looks for.
     */
    issuedTokens(): { accessToken: string; refreshToken: string }[];
    counters(): CounterSnapshot;
    resetCounters(): void;
    queueRows(filter?: { clientId?: string; connector?: string }): QueueRowView[];
    bindings(clientId?: string): {
        id: number;
        clientId: string | null;
        event: string;
        handler: string;
        connector: string;
        userId: number;
        options: Record<string, string | number>;
    }[];
    /** Runs the daily agents now (the reservation purge); returns the rows purged. */
    runAgents(): number;
}
