import { invalidArgument, type OAuthTokens } from '../../bitrix24';
import { isObject } from '../../bitrix24/internal';
import { installTokens } from '../portal/install-callback';

/** An installation POST as it claims to be, checked for shape but not yet tried on the portal. */
export interface OfferedInstallation {
    memberId: string;
    /** `auth[domain]`: the portal's host. */
    domain: string;
    /** The portal's origin, from `auth[client_endpoint]`. */
    portalUrl: string;
    tokens: OAuthTokens;
}

/** member_id is a hex string on Bitrix24; it names documents, so only safe characters pass. */
const MEMBER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Reads the installation POST of an application installed on many portals (`ONAPPINSTALL`,
 * docs/bitrix24.md §7): the REST address `auth[client_endpoint]` must be on the host
 * `auth[domain]` names, over https (http only for a loopback address, an emulator), and
 * `auth[server_endpoint]` must be Bitrix24's token server or the configured one, where refreshes
 * send the client secret. Whether the tokens work there is the caller's next step.
 */
export function offeredInstallation(form: Record<string, unknown>, oauthServer: string): OfferedInstallation {
    const auth = isObject(form.auth) ? form.auth : {};
    const memberId = typeof auth.member_id === 'string' ? auth.member_id : '';
    if (!MEMBER_ID.test(memberId)) {
        throw invalidArgument(
            'auth',
            'install-member-id',
            'the installation carries no valid auth[member_id]',
        );
    }
    const domain = typeof auth.domain === 'string' ? auth.domain.trim().toLowerCase() : '';
    const endpoint = typeof auth.client_endpoint === 'string' ? parseUrl(auth.client_endpoint) : undefined;
    if (!domain || !endpoint || endpoint.host !== domain) {
        throw invalidArgument(
            'auth',
            'install-domain-mismatch',
            'the installation names a REST address (auth[client_endpoint]) that is not on its domain (auth[domain])',
        );
    }
    if (!(
        endpoint.protocol === 'https:' ||
        (endpoint.protocol === 'http:' && isLoopback(endpoint.hostname))
    )) {
        throw invalidArgument(
            'auth',
            'install-not-https',
            'the installation names a REST address without https (http is taken only from a loopback address)',
        );
    }
    const portalUrl = endpoint.origin;
    return { memberId, domain, portalUrl, tokens: installTokens(form, portalUrl, oauthServer) };
}

function parseUrl(text: string): URL | undefined {
    try {
        return new URL(text);
    } catch {
        return undefined;
    }
}

function isLoopback(hostname: string): boolean {
    return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}
