// Addresses and identity of the emulated portal, filled in once the listeners are bound.

export interface PortalInfo {
    /** e.g. http://127.0.0.1:40123 */
    portalUrl: string;
    /** e.g. http://127.0.0.1:40124 (stands in for https://oauth.bitrix.info) */
    oauthServer: string;
    /** The portal's host[:port], sent as auth[domain] in events. */
    domain: string;
    /** The OAuth server's host[:port], sent as `domain` in token responses (docs/bitrix24.md §7). */
    oauthDomain: string;
    /** Stable portal id (32 hex). */
    memberId: string;
    /** The portal's UTC offset in minutes, used in every ISO-8601 date. */
    offsetMinutes: number;
}

export function clientEndpoint(info: PortalInfo): string {
    return `${info.portalUrl}/rest/`;
}

export function serverEndpoint(info: PortalInfo): string {
    return `${info.oauthServer}/rest/`;
}
