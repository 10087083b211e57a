// The control API (not part of Bitrix24): everything a test, the demo or the benchmark needs to
// steer the emulated portal. The same operations are served over HTTP under /_emulator/.
import { installApp } from '../oauth/install';
import { formatIso } from '../php/datetime';
import type { Portal } from '../portal';
import { DEFAULT_APP_SCOPE, type App } from '../store/apps';
import { isPlan, PLANS } from '../store/features';
import type { EmulatorControl } from './control-types';
import { ChangeGenerator } from './generator';
import { applyUserChange } from './user-change';

/** What only the listeners' owner (startEmulator) can do. */
export interface ListenerHooks {
    renamePortal(host?: string): Promise<{ portalUrl: string; previousUrl: string }>;
    setTokenServer(baseUrl: string | null): void;
    startRegionalTokenServer(): Promise<string>;
}

function timingMs(name: string, value: number | undefined): number | undefined {
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
        throw new Error(`${name} must be a number of milliseconds, 0 or more`);
    }
    return value;
}

export function createControl(portal: Portal, hooks: ListenerHooks): EmulatorControl {
    const generator = new ChangeGenerator(portal);
    const requireApp = (clientId: string | undefined): App => {
        const app = clientId ? portal.apps.byClientId(clientId) : portal.apps.get(1);
        if (!app) throw new Error(`unknown app: ${clientId ?? '(default)'}`);
        return app;
    };
    const quirks = () => ({
        legacyPaging: portal.legacyPaging,
        rowDelayMs: portal.timing.rowDelayMs,
        ringDelayMs: portal.timing.ringDelayMs,
        ringJitterMs: portal.timing.ringJitterMs,
    });

    return {
        state: () => ({
            portalUrl: portal.info.portalUrl,
            oauthServer: portal.info.oauthServer,
            tokenServer: portal.info.tokenServer,
            memberId: portal.info.memberId,
            plan: portal.features.plan,
            features: portal.features.snapshot(),
            selfHosted: portal.selfHosted,
            deleted: portal.deleted,
            quirks: quirks(),
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
                paymentExpired: app.paymentExpired,
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
                expires: grant.expires,
                userId,
                callbackStatus,
            };
        },

        setAppState: (clientId, state) => {
            const app = requireApp(clientId);
            if (state.active !== undefined) app.active = state.active;
            if (state.installed !== undefined) app.installed = state.installed;
            if (state.paymentExpired !== undefined) app.paymentExpired = state.paymentExpired;
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
            const hook = portal.webhooks.add(userId, spec.scope ?? [...DEFAULT_APP_SCOPE]);
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
            if (!isPlan(plan)) throw new Error(`plan must be one of ${PLANS.join(', ')}`);
            portal.features.setPlan(plan, features);
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
        revokeAccessTokens: () => portal.tokens.forgetAllAccessTokens(),
        deletePortal: (deleted = true) => {
            portal.deleted = deleted;
        },
        renamePortal: (spec = {}) => hooks.renamePortal(spec.host),
        setTokenServer: (baseUrl) => hooks.setTokenServer(baseUrl),
        startRegionalTokenServer: async () => ({ tokenServer: await hooks.startRegionalTokenServer() }),
        setQuirks: (spec) => {
            const rowDelayMs = timingMs('rowDelayMs', spec.rowDelayMs);
            const ringDelayMs = timingMs('ringDelayMs', spec.ringDelayMs);
            const ringJitterMs = timingMs('ringJitterMs', spec.ringJitterMs);
            if (spec.legacyPaging !== undefined) portal.legacyPaging = spec.legacyPaging === true;
            if (rowDelayMs !== undefined) portal.timing.rowDelayMs = rowDelayMs;
            if (ringDelayMs !== undefined) portal.timing.ringDelayMs = ringDelayMs;
            if (ringJitterMs !== undefined) portal.timing.ringJitterMs = ringJitterMs;
            return quirks();
        },
        issuedTokens: () => portal.tokens.issuedPairs(),

        counters: () => portal.counters.snapshot(portal.queue.gauges()),
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
