// Plan and features (Bitrix24 Feature::isFeatureEnabled). The plan picks the default rate limit
// (docs/bitrix24.md §8) and the features it has; the two REST features gate reservations and
// connectors (docs/bitrix24.md §1, §11). `auth_connector` needs Professional or higher
// (https://apidocs.bitrix24.com/api-reference/events/offline-events.html); which plans have
// `rest_offline_extended` the docs leave open (docs/bitrix24.md §14.7): the emulator gives it to the
// same tiers, and `features` / `--feature NAME=on|off` override either.

export const PLANS = ['free', 'basic', 'standard', 'professional', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];

/** The default: a plan that truly has both features. */
export const DEFAULT_PLAN: Plan = 'professional';

export const FEATURE_OFFLINE_EXTENDED = 'rest_offline_extended';
export const FEATURE_AUTH_CONNECTOR = 'rest_auth_connector';

export function isPlan(value: unknown): value is Plan {
    return typeof value === 'string' && (PLANS as readonly string[]).includes(value);
}

/** The REST features each tier has. */
export function planFeatures(plan: Plan): Record<string, boolean> {
    const paid = plan === 'professional' || plan === 'enterprise';
    return { [FEATURE_OFFLINE_EXTENDED]: paid, [FEATURE_AUTH_CONNECTOR]: paid };
}

/** The free plan has no REST for local applications and webhooks (docs/bitrix24.md §7). */
export function planHasRest(plan: Plan): boolean {
    return plan !== 'free';
}

export class Features {
    private readonly enabled = new Map<string, boolean>();
    private overrides: Record<string, boolean | undefined>;

    constructor(
        private current: Plan,
        overrides: Record<string, boolean | undefined>,
    ) {
        this.overrides = { ...overrides };
        this.apply();
    }

    get plan(): Plan {
        return this.current;
    }

    /** A new plan brings its tier's features; overrides given now (not earlier ones) win. */
    setPlan(plan: Plan, overrides: Record<string, boolean | undefined> = {}): void {
        this.current = plan;
        this.overrides = { ...overrides };
        this.apply();
    }

    set(features: Record<string, boolean | undefined>): void {
        for (const [code, on] of Object.entries(features)) {
            if (on === undefined) continue;
            this.enabled.set(code, on);
            this.overrides[code] = on;
        }
    }

    /**
     * What feature.get answers: a feature the emulator knows is on or off; Bitrix24 does not check
     * whether a code exists and may say 'Y' for an unknown one (feature.get docs), so it does.
     */
    isEnabled(code: string): boolean {
        return this.enabled.get(code) ?? true;
    }

    snapshot(): Record<string, boolean> {
        return Object.fromEntries(this.enabled);
    }

    private apply(): void {
        this.enabled.clear();
        for (const [code, on] of Object.entries({ ...planFeatures(this.current), ...this.overrides })) {
            if (on !== undefined) this.enabled.set(code, on);
        }
    }
}
