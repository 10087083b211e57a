// Addresses and identity of the emulated portal, filled in once the listeners are bound.

export interface PortalInfo {
    /** e.g. http://127.0.0.1:40123 */
    portalUrl: string;
    /** e.g. http://127.0.0.1:40124 (stands in for https://oauth.bitrix.info) */
    oauthServer: string;
    /** The portal's host[:port], sent as auth[domain] in events. */
    domain: string;
    /** The OAuth server's host[:port]. */
    oauthDomain: string;
    /**
     * The token server the portal names: `server_domain` of the authorize redirect,
     * `server_endpoint` (plus /rest/) of installations, events and token replies, and `domain` of
     * token replies (docs/bitrix24.md §7, §15.3). The OAuth listener unless the options say otherwise.
     */
    tokenServer: string;
    /** tokenServer's host[:port]. */
    tokenDomain: string;
    /** Stable portal id (32 hex). */
    memberId: string;
    /** The portal's UTC offset in minutes, used in every ISO-8601 date. */
    offsetMinutes: number;
}

export function clientEndpoint(info: PortalInfo): string {
    return `${info.portalUrl}/rest/`;
}

export function serverEndpoint(info: PortalInfo): string {
    return `${info.tokenServer}/rest/`;
}

/** Points the portal at a token server (its base URL, e.g. https://oauth.bitrix24.tech). */
export function setTokenServer(info: PortalInfo, baseUrl: string): void {
    const url = new URL(baseUrl);
    info.tokenServer = `${url.protocol}//${url.host}`;
    info.tokenDomain = url.host;
}
