/** OAuth tokens of a local application, as the client keeps them (docs/bitrix24.md §7). */
export interface OAuthTokens {
    accessToken?: string;
    refreshToken?: string;
    /** Unix milliseconds when the access token expires, if known. */
    expiresAt?: number;
    /** `https://oauth.bitrix.info/rest/`: its origin serves `/oauth/token/`. */
    serverEndpoint?: string;
    clientEndpoint?: string;
    memberId?: string;
    /** Verifies calls from the portal (ONOFFLINEEVENT, installation). */
    applicationToken?: string;
    scope?: string;
    userId?: number;
    /** A renamed portal (docs/bitrix24.md §15.4): the origin it was configured at when it moved... */
    movedFrom?: string;
    /** ...and the origin the token server confirmed it at, where calls go since. */
    movedTo?: string;
}

/** Tokens as written to disk, with where they came from. */
export interface StoredTokens extends OAuthTokens {
    /**
     * Fingerprint of the refresh token that was deployed in the Node-RED credentials when this
     * line of tokens began. Deployed credentials that still match it are older than the file;
     * credentials with another refresh token were entered since, and win.
     */
    basis: string;
    savedAt: number;
}

export interface TokenStore {
    load(): Promise<StoredTokens | undefined>;
    save(tokens: StoredTokens): Promise<void>;
}

/** Bitrix24's own token servers: west and east (docs/bitrix24.md §7, per the PHP SDK's defaults). */
export const BITRIX24_OAUTH_SERVERS = ['https://oauth.bitrix.info', 'https://oauth.bitrix24.tech'];

/** The token server of a portal node that names none, when the portal is not known. */
export const DEFAULT_OAUTH_SERVER = BITRIX24_OAUTH_SERVERS[0];

/** Portals in the east region, served by oauth.bitrix24.tech (docs/bitrix24.md §7, §15). */
const EAST_ZONES = ['ru', 'by', 'kz'];

/**
 * The token server of a portal by its region: east (`oauth.bitrix24.tech`) for portals under .ru,
 * .by and .kz, else west (`oauth.bitrix.info`). The PHP SDK's `DefaultOAuthServerUrl` names the
 * same two servers per region and falls back to west (docs/bitrix24.md §7, §12).
 */
export function defaultOAuthServer(portal: URL | string): string {
    const host = (typeof portal === 'string' ? new URL(portal) : portal).hostname.toLowerCase();
    const zone = host.slice(host.lastIndexOf('.') + 1);
    return EAST_ZONES.includes(zone) ? BITRIX24_OAUTH_SERVERS[1] : BITRIX24_OAUTH_SERVERS[0];
}

/**
 * The token server for an authorize redirect's `server_domain` (a bare host such as
 * `oauth.bitrix.info`): Bitrix24's own over https, or the configured one; else undefined.
 */
export function tokenServerOfDomain(serverDomain: string, configured: string): string | undefined {
    const host = serverDomain.trim().toLowerCase();
    const own = BITRIX24_OAUTH_SERVERS.find((server) => new URL(server).host === host);
    if (own) return own;
    const mine = new URL(configured);
    return mine.host === host ? mine.origin : undefined;
}

/**
 * Whether refreshes may go to a `server_endpoint` that arrived from outside (an installation
 * callback): they carry the client secret, so only to Bitrix24's servers or the configured one.
 */
export function isTrustedOAuthServer(serverEndpoint: string, configured: string): boolean {
    const origin = (url: string) => {
        try {
            return new URL(url).origin;
        } catch {
            return undefined;
        }
    };
    const given = origin(serverEndpoint);
    return given !== undefined && [...BITRIX24_OAUTH_SERVERS, origin(configured)].includes(given);
}

/** The token response of the OAuth server (docs/bitrix24.md §7), mapped to OAuthTokens. */
export function tokensFromGrant(body: Record<string, unknown>, now = Date.now()): OAuthTokens {
    const text = (key: string) => (typeof body[key] === 'string' && body[key] !== '' ? body[key] : undefined);
    const number = (key: string) => {
        const value = Number(body[key]);
        return Number.isFinite(value) && value > 0 ? value : undefined;
    };
    const expires = number('expires');
    const expiresIn = number('expires_in');
    return {
        accessToken: text('access_token'),
        refreshToken: text('refresh_token'),
        expiresAt: expires ? expires * 1000 : expiresIn ? now + expiresIn * 1000 : undefined,
        serverEndpoint: text('server_endpoint'),
        clientEndpoint: text('client_endpoint'),
        memberId: text('member_id'),
        applicationToken: text('application_token'),
        scope: text('scope'),
        userId: number('user_id'),
    };
}
