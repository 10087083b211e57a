// The control API (not part of Bitrix24): everything a test, the demo or the benchmark needs to
// steer the emulated portal. The same operations are served over HTTP under /_emulator/.
import type { LimitsSetting } from '../limits/leaky-bucket';
import { installApp } from '../oauth/install';
import { formatIso } from '../php/datetime';
import type { Portal } from '../portal';
import type { QueueGauges } from '../queue/offline-queue';
import type { App, NewApp } from '../store/apps';
import type { Plan } from '../store/features';
import type { FaultSettings } from './faults';
import { ChangeGenerator, type GeneratorSpec, type GeneratorStatus } from './generator';
import { applyUserChange, type ChangeResult, type UserChange } from './user-change';

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

export interface CounterSnapshot {
    requests: number;
    /** Milliseconds spent working on REST requests (parsing, the method, encoding the reply). */
    restBusyMs: number;
    requestsByMethod: Record<string, number>;
    batchSubCalls: number;
    status503: number;
    status429: number;
    injected500: number;
    droppedConnections: number;
    slowedAnswers: number;
    rowsQueued: number;
    rowsInserted: number;
    rowsMerged: number;
    rowsSuppressed: number;
    rowsReserved: number;
    rowsErrored: number;
    rowsCleared: number;
    rowsPurged: number;
    tokensIssued: number;
    refreshes: number;
    codeExchanges: number;
    installCallbacksSent: number;
    ringsSent: number;
    ringsDropped: number;
    ringsFailed: number;
    eventsPosted: number;
    changes: number;
    queue: QueueGauges;
}

export interface EmulatorState {
    portalUrl: string;
    oauthServer: string;
    memberId: string;
    plan: Plan;
    features: Record<string, boolean>;
    limits: LimitsSetting;
    operatingLimitSeconds: number;
    clock: { now: number; iso: string; offsetSeconds: number; frozen: boolean };
    apps: { clientId: string; active: boolean; installed: boolean; scope: string[] }[];
    faults: FaultSettings;
}

export interface EmulatorControl {
    state(): EmulatorState;
    installApp(spec?: InstallAppSpec): Promise<InstalledApp>;
    setAppState(clientId: string, state: { active?: boolean; installed?: boolean }): void;
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
    setPlan(plan: Plan, features?: Record<string, boolean>): void;
    setFeatures(features: Record<string, boolean>): void;
    setLimits(spec: LimitsSpec): void;
    setClock(spec: ClockSpec): { now: number; offsetSeconds: number; frozen: boolean };
    injectFaults(faults: Partial<FaultSettings>): FaultSettings;
    clearFaults(): void;
    /** Every access token expires now (refresh tokens still work). Returns how many. */
    expireAccessTokens(): number;
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

export function createControl(portal: Portal): EmulatorControl {
    const generator = new ChangeGenerator(portal);
    const requireApp = (clientId: string | undefined): App => {
        const app = clientId ? portal.apps.byClientId(clientId) : portal.apps.get(1);
        if (!app) throw new Error(`unknown app: ${clientId ?? '(default)'}`);
        return app;
    };

    return {
        state: () => ({
            portalUrl: portal.info.portalUrl,
            oauthServer: portal.info.oauthServer,
            memberId: portal.info.memberId,
            plan: portal.features.plan,
            features: portal.features.snapshot(),
            limits: portal.limits,
            operatingLimitSeconds: portal.operating.limitSeconds,
            clock: {
                now: portal.clock.nowSeconds(),
                iso: formatIso(portal.clock.nowSeconds(), portal.info.offsetMinutes),
                offsetSeconds: portal.clock.offsetSeconds(),
                frozen: portal.clock.isFrozen(),
            },
            apps: portal.apps.list().map((app) => ({
                clientId: app.clientId,
                active: app.active,
                installed: app.installed,
                scope: app.scope,
            })),
            faults: portal.faults.current(),
        }),

        installApp: async (spec = {}) => {
            const userId = spec.userId ?? 1;
            const { app, grant, callbackStatus } = await installApp(portal, spec, userId);
            return {
                clientId: app.clientId,
                clientSecret: app.clientSecret,
                applicationToken: app.applicationToken,
                memberId: portal.info.memberId,
                scope: app.scope,
                accessToken: grant.accessToken,
                refreshToken: grant.refreshToken,
                userId,
                callbackStatus,
            };
        },

        setAppState: (clientId, state) => {
            const app = requireApp(clientId);
            if (state.active !== undefined) app.active = state.active;
            if (state.installed !== undefined) app.installed = state.installed;
        },

        uninstallApp: (clientId) => {
            const app = requireApp(clientId);
            portal.bindings.remove((binding) => binding.appId === app.id);
            app.installed = false;
        },

        issueTokens: (spec = {}) => {
            const app = requireApp(spec.clientId);
            const userId = spec.userId ?? 1;
            if (!portal.users.get(userId)) throw new Error(`unknown user: ${userId}`);
            const grant = portal.tokens.issue(app, userId);
            portal.counters.tokensIssued++;
            return {
                accessToken: grant.accessToken,
                refreshToken: grant.refreshToken,
                expires: grant.expires,
                userId,
                clientId: app.clientId,
            };
        },

        createWebhook: (spec = {}) => {
            const userId = spec.userId ?? 1;
            if (!portal.users.get(userId)) throw new Error(`unknown user: ${userId}`);
            const hook = portal.webhooks.add(userId, spec.scope ?? ['crm', 'task', 'user']);
            return {
                url: `${portal.info.portalUrl}/rest/${userId}/${hook.secret}/`,
                userId,
                secret: hook.secret,
            };
        },

        addUser: (spec = {}) => {
            const user = portal.users.create(spec.admin === true);
            return { id: user.id, admin: user.admin };
        },

        addSmartProcess: (entityTypeId) => portal.addSmartProcess(entityTypeId),

        userChange: (change) => applyUserChange(portal, change),
        startGenerator: (spec) => generator.start(spec),
        stopGenerator: () => generator.stop(),
        generatorStatus: () => generator.current(),

        setPlan: (plan, features) => {
            portal.features.plan = plan;
            if (features) portal.features.set(features);
            portal.setLimits(portal.limits);
        },
        setFeatures: (features) => portal.features.set(features),

        setLimits: (spec) => {
            if (spec.limits !== undefined) portal.setLimits(spec.limits);
            if (spec.operatingLimitSeconds !== undefined)
                portal.operating.limitSeconds = spec.operatingLimitSeconds;
            for (const [method, seconds] of Object.entries(spec.methodCostSeconds ?? {})) {
                portal.methodCosts.set(method, seconds);
            }
            if (spec.defaultMethodCostSeconds !== undefined)
                portal.defaultMethodCost = spec.defaultMethodCostSeconds;
            if (spec.resetOperating) portal.operating.reset();
        },

        setClock: (spec) => {
            if (spec.freeze !== undefined) portal.clock.freeze(spec.freeze);
            if (spec.offsetSeconds !== undefined) portal.clock.setOffset(spec.offsetSeconds);
            if (spec.advanceSeconds !== undefined) portal.clock.advance(spec.advanceSeconds);
            portal.runAgentsIfDue();
            return {
                now: portal.clock.nowSeconds(),
                offsetSeconds: portal.clock.offsetSeconds(),
                frozen: portal.clock.isFrozen(),
            };
        },

        injectFaults: (faults) => portal.faults.set(faults),
        clearFaults: () => portal.faults.clear(),
        expireAccessTokens: () => portal.tokens.expireAllAccessTokens(),

        counters: () => {
            const counters = portal.counters;
            return {
                requests: counters.requests,
                restBusyMs: Math.round(counters.restBusyMs * 10) / 10,
                requestsByMethod: Object.fromEntries(counters.requestsByMethod),
                batchSubCalls: counters.batchSubCalls,
                status503: counters.status503,
                status429: counters.status429,
                injected500: counters.injected500,
                droppedConnections: counters.droppedConnections,
                slowedAnswers: counters.slowedAnswers,
                rowsQueued: counters.rowsQueued,
                rowsInserted: counters.rowsInserted,
                rowsMerged: counters.rowsMerged,
                rowsSuppressed: counters.rowsSuppressed,
                rowsReserved: counters.rowsReserved,
                rowsErrored: counters.rowsErrored,
                rowsCleared: counters.rowsCleared,
                rowsPurged: counters.rowsPurged,
                tokensIssued: counters.tokensIssued,
                refreshes: counters.refreshes,
                codeExchanges: counters.codeExchanges,
                installCallbacksSent: counters.installCallbacksSent,
                ringsSent: counters.ringsSent,
                ringsDropped: counters.ringsDropped,
                ringsFailed: counters.ringsFailed,
                eventsPosted: counters.eventsPosted,
                changes: counters.changes,
                queue: portal.queue.gauges(),
            };
        },
        resetCounters: () => portal.counters.reset(),

        queueRows: (filter = {}) => {
            const app = filter.clientId ? portal.apps.byClientId(filter.clientId) : undefined;
            if (filter.clientId && !app) return [];
            return portal.queue
                .allRows()
                .filter(
                    (row) =>
                        (!app || row.appId === app.id) &&
                        (filter.connector === undefined || row.connector === filter.connector),
                )
                .map((row) => ({
                    ID: row.id,
                    APP_ID: row.appId,
                    CLIENT_ID: portal.apps.get(row.appId)?.clientId ?? null,
                    CONNECTOR_ID: row.connector,
                    TIMESTAMP_X: formatIso(row.ts, portal.info.offsetMinutes),
                    ts: row.ts,
                    EVENT_NAME: row.eventName,
                    EVENT_DATA: row.eventData,
                    EVENT_ADDITIONAL: row.eventAdditional,
                    MESSAGE_ID: row.messageId,
                    PROCESS_ID: row.processId,
                    ERROR: row.error,
                }));
        },

        bindings: (clientId) => {
            const apps = clientId ? [requireApp(clientId)] : portal.apps.list();
            return apps.flatMap((app) =>
                portal.bindings.forApp(app.id).map((binding) => ({
                    id: binding.id,
                    clientId: app.clientId,
                    event: binding.eventName,
                    handler: binding.handler,
                    connector: binding.connector,
                    userId: binding.userId,
                    options: binding.options,
                })),
            );
        },

        runAgents: () => portal.runAgents(),
    };
}
