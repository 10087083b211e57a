// Options of startEmulator() and their defaults.
import type { LimitsSetting } from './limits/leaky-bucket';
import type { Plan } from './store/features';

export interface EmulatorOptions {
    /** Portal listener, 0 = any free port (default). */
    port?: number;
    /** OAuth server listener (stands in for oauth.bitrix.info), 0 = any free port (default). */
    oauthPort?: number;
    /** Default '127.0.0.1'. */
    host?: string;
    /** Default 'standard' (50 burst / 2 per s); 'enterprise' is 250 / 5 (docs/bitrix24.md §8). */
    plan?: Plan;
    /** Default 'off' in-process ('on' in the CLI). */
    limits?: LimitsSetting;
    /** The per-method operating-time budget over 10 minutes, default 480 s (docs/bitrix24.md §8). */
    operatingLimitSeconds?: number;
    /** Default 3600 s (docs/bitrix24.md §7). */
    accessTokenTtlSeconds?: number;
    /** Default both true. */
    features?: { rest_offline_extended?: boolean; rest_auth_connector?: boolean };
    /** The portal's UTC offset in minutes for ISO-8601 dates; default 0. */
    utcOffsetMinutes?: number;
    /** entityTypeIds of the smart processes that exist; default [1036]. */
    smartProcessTypes?: number[];
    /** Simulated processing time per method, in seconds (counted by the operating-time budget). */
    methodCostSeconds?: Record<string, number>;
    /** Processing time of methods not listed in methodCostSeconds; default 0.01 s. */
    defaultMethodCostSeconds?: number;
    /** Seed for the fault-injection dice; random when absent. */
    seed?: number;
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
    utcOffsetMinutes: number;
    smartProcessTypes: number[];
    methodCostSeconds: Record<string, number>;
    defaultMethodCostSeconds: number;
    seed: number;
}

export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
    return {
        port: options.port ?? 0,
        oauthPort: options.oauthPort ?? 0,
        host: options.host ?? '127.0.0.1',
        plan: options.plan ?? 'standard',
        limits: options.limits ?? 'off',
        operatingLimitSeconds: options.operatingLimitSeconds ?? 480,
        accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
        features: { ...options.features },
        utcOffsetMinutes: options.utcOffsetMinutes ?? 0,
        smartProcessTypes: options.smartProcessTypes ?? [1036],
        methodCostSeconds: { ...options.methodCostSeconds },
        defaultMethodCostSeconds: options.defaultMethodCostSeconds ?? 0.01,
        seed: options.seed ?? Math.floor(Math.random() * 2 ** 31),
    };
}
