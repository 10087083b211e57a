// Plan and features (Bitrix24 Feature::isFeatureEnabled). The plan picks the default rate limit
// (docs/bitrix24.md §8); the two features gate reservations and connectors (docs/bitrix24.md §1, §11).

export type Plan = 'standard' | 'enterprise';

export const FEATURE_OFFLINE_EXTENDED = 'rest_offline_extended';
export const FEATURE_AUTH_CONNECTOR = 'rest_auth_connector';

export class Features {
    private readonly enabled = new Map<string, boolean>();

    constructor(
        public plan: Plan,
        initial: Record<string, boolean | undefined>,
    ) {
        this.set({ [FEATURE_OFFLINE_EXTENDED]: true, [FEATURE_AUTH_CONNECTOR]: true, ...initial });
    }

    set(features: Record<string, boolean | undefined>): void {
        for (const [code, on] of Object.entries(features)) {
            if (on !== undefined) this.enabled.set(code, on);
        }
    }

    isEnabled(code: string): boolean {
        return this.enabled.get(code) === true;
    }

    snapshot(): Record<string, boolean> {
        return Object.fromEntries(this.enabled);
    }
}
