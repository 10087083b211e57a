import type { BucketProfile } from '../../bitrix24';
import { Bitrix24Error, LocalCode, RATE_PROFILES } from '../../bitrix24';

/** What the `bitrix24-portal` config node holds (design: "Node types and their properties"). */
export interface PortalSettings {
    id: string;
    portalUrl: string;
    authType: 'oauth' | 'webhook';
    authConnector: string;
    rateLimit: 'standard' | 'enterprise' | 'custom';
    burst: number;
    rps: number;
    oauthServer: string;
    credentials: PortalCredentials;
}

export interface PortalCredentials {
    clientId?: string;
    webhookUrl?: string;
    clientSecret?: string;
    accessToken?: string;
    refreshToken?: string;
    applicationToken?: string;
}

export function rateProfile(settings: Pick<PortalSettings, 'rateLimit' | 'burst' | 'rps'>): BucketProfile {
    if (settings.rateLimit === 'enterprise') return RATE_PROFILES.enterprise;
    if (settings.rateLimit === 'custom') {
        const profile = { burst: Number(settings.burst), rps: Number(settings.rps) };
        if (!Number.isInteger(profile.burst) || profile.burst < 1 || !(profile.rps > 0)) {
            throw new Bitrix24Error({
                code: LocalCode.InvalidConfig,
                argument: 'rateLimit',
                reason: 'rate-limit',
                description:
                    'a custom rate limit needs a burst of at least 1 request and a positive rate per second',
            });
        }
        return profile;
    }
    return RATE_PROFILES.standard;
}
