// Options of startEmulator() and their defaults.
import type { LimitsSetting } from './limits/leaky-bucket';
import { DEFAULT_PLAN, isPlan, PLANS, type Plan } from './store/features';

export interface EmulatorOptions {
    /** Portal listener, 0 = any free port (default). */
    port?: number;
    /** OAuth server listener (stands in for oauth.bitrix.info), 0 = any free port (default). */
    oauthPort?: number;
    /** Default '127.0.0.1'. */
    host?: string;
    /**
     * Default 'professional'. The tier sets the features (Professional and Enterprise have both
     * REST features, the others neither) and the bucket: Enterprise 250 / 5 per s, every other
     * plan 50 / 2 (docs/bitrix24.md §8). 'free' has no REST for local apps and webhooks.
     */
    plan?: Plan;
    /** Default 'off' in-process ('on' in the CLI). */
    limits?: LimitsSetting;
    /** The per-method operating-time budget over 10 minutes, default 480 s (docs/bitrix24.md §8). */
    operatingLimitSeconds?: number;
    /** Default 3600 s (docs/bitrix24.md §7). */
    accessTokenTtlSeconds?: number;
    /** Feature switches over the plan's own, e.g. `{ rest_offline_extended: true }`. */
    features?: Record<string, boolean | undefined>;
    /**
     * A self-hosted Bitrix24 without the cloud's feature check: every feature works and
     * feature.get answers 'en_selfhosted'. Default false.
     */
    selfHosted?: boolean;
    /** The portal's UTC offset in minutes for ISO-8601 dates; default 0. */
    utcOffsetMinutes?: number;
    /** entityTypeIds of the smart processes that exist; default [1036]. */
    smartProcessTypes?: number[];
    /** Simulated processing time per method, in seconds (counted by the operating-time budget). */
    methodCostSeconds?: Record<string, number>;
    /** Processing time of methods not listed in methodCostSeconds; default 0.01 s. */
    defaultMethodCostSeconds?: number;
    /** Seed for the fault-injection and ring-jitter dice; random when absent. */
    seed?: number;
    /**
     * Milliseconds between the answer of a request and the offline rows it raised being written
     * (the portal writes them in a background step, docs/bitrix24.md §15.2). Default 0.
     */
    rowDelayMs?: number;
    /** Every ONOFFLINEEVENT ring and online event waits this long in the event queue; default 0. */
    ringDelayMs?: number;
    /** Plus a random 0..ringJitterMs on top of ringDelayMs; default 0. */
    ringJitterMs?: number;
    /**
     * event.offline.list as some self-hosted builds answer it: no `next`, `total` 0
     * (docs/bitrix24.md §15.5). Default false.
     */
    legacyPaging?: boolean;
    /**
     * The token server the portal names in the authorize redirect (`server_domain`), installation
     * and event `auth[server_endpoint]` and token replies, e.g. 'https://oauth.bitrix24.tech'.
     * Default: the emulator's own OAuth listener.
     */
    tokenServer?: string;
    /**
     * A second OAuth listener stands for the portal's regional token server (as
     * oauth.bitrix24.tech does for some portals): the portal names it, and the first one
     * (`oauthServer`) answers 401 invalid_client for this portal's apps. Default false.
     */
    regionalTokenServer?: boolean;
    /** Serve HTTPS on both listeners with a self-signed certificate made at start. Default false. */
    tls?: boolean;
}

export interface ResolvedOptions {
    port: number;
    oauthPort: number;
    host: string;
    plan: Plan;
    limits: LimitsSetting;
    operatingLimitSeconds: number;
    accessTokenTtlSeconds: number;
    features: Record<string, boolean | undefined>;
    selfHosted: boolean;
    utcOffsetMinutes: number;
    smartProcessTypes: number[];
    methodCostSeconds: Record<string, number>;
    defaultMethodCostSeconds: number;
    seed: number;
    rowDelayMs: number;
    ringDelayMs: number;
    ringJitterMs: number;
    legacyPaging: boolean;
    tokenServer: string | null;
    regionalTokenServer: boolean;
    tls: boolean;
}

function nonNegative(name: string, value: number | undefined): number {
    if (value === undefined) return 0;
    if (!Number.isFinite(value) || value < 0) {
        throw new Error(`${name} must be a number of milliseconds, 0 or more (got ${String(value)})`);
    }
    return value;
}

export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
    if (options.plan !== undefined && !isPlan(options.plan)) {
        throw new Error(`plan must be one of ${PLANS.join(', ')} (got ${String(options.plan)})`);
    }
    return {
        port: options.port ?? 0,
        oauthPort: options.oauthPort ?? 0,
        host: options.host ?? '127.0.0.1',
        plan: options.plan ?? DEFAULT_PLAN,
        limits: options.limits ?? 'off',
        operatingLimitSeconds: options.operatingLimitSeconds ?? 480,
        accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
        features: { ...options.features },
        selfHosted: options.selfHosted ?? false,
        utcOffsetMinutes: options.utcOffsetMinutes ?? 0,
        smartProcessTypes: options.smartProcessTypes ?? [1036],
        methodCostSeconds: { ...options.methodCostSeconds },
        defaultMethodCostSeconds: options.defaultMethodCostSeconds ?? 0.01,
        seed: options.seed ?? Math.floor(Math.random() * 2 ** 31),
        rowDelayMs: nonNegative('rowDelayMs', options.rowDelayMs),
        ringDelayMs: nonNegative('ringDelayMs', options.ringDelayMs),
        ringJitterMs: nonNegative('ringJitterMs', options.ringJitterMs),
        legacyPaging: options.legacyPaging ?? false,
        tokenServer: options.tokenServer ? options.tokenServer.replace(/\/+$/, '') : null,
        regionalTokenServer: options.regionalTokenServer ?? false,
        tls: options.tls ?? false,
    };
}

/** Environment variables that switch on the portal's real timing for a whole test run. */
export const TIMING_ENV = {
    rowDelayMs: 'B24_EMULATOR_ROW_DELAY_MS',
    ringDelayMs: 'B24_EMULATOR_RING_DELAY_MS',
    ringJitterMs: 'B24_EMULATOR_RING_JITTER_MS',
} as const;

/** The timing options set in `env` (unset or empty variables are left out). */
export function timingFromEnv(env: NodeJS.ProcessEnv = process.env): EmulatorOptions {
    const options: EmulatorOptions = {};
    for (const [option, variable] of Object.entries(TIMING_ENV) as [keyof typeof TIMING_ENV, string][]) {
        const raw = env[variable];
        if (raw === undefined || raw.trim() === '') continue;
        const value = Number(raw);
        if (!Number.isFinite(value) || value < 0) {
            throw new Error(`${variable} must be a number of milliseconds, 0 or more (got ${raw})`);
        }
        options[option] = value;
    }
    return options;
}
