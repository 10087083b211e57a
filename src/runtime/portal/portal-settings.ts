import type { BucketProfile } from '../../bitrix24';
import { RATE_PROFILES } from '../../bitrix24';

/** What the `bitrix24-portal` config node holds (design: "Node types and their properties"). */
export interface PortalSettings {
    id: string;
    portalUrl: string;
    authType: 'oauth' | 'webhook';
    authConnector: string;
    rateLimit: 'standard' | 'enterprise' | 'custom';
    burst: number;
    rps: number;
    /** The configured token server; empty: the one of the portal's region (docs/bitrix24.md §7). */
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
    // The client checks the numbers (a burst of at least 1, a positive rate).
    if (settings.rateLimit === 'custom') return { burst: Number(settings.burst), rps: Number(settings.rps) };
    return RATE_PROFILES.standard;
}
