import {
    invalidArgument,
    isTrustedOAuthServer,
    portalHost,
    tokensFromGrant,
    type OAuthTokens,
} from '../../bitrix24';
import { isObject } from '../../bitrix24/internal';

/**
 * Reads the tokens of an installation callback (`ONAPPINSTALL`, docs/bitrix24.md §7: form-encoded
 * `auth[access_token]`, `auth[refresh_token]`, `auth[application_token]`, `auth[client_endpoint]`, ...)
 * and checks that it comes for the configured portal, and that the token server it names (where
 * refreshes send the client secret) is Bitrix24's or the configured one.
 */
export function installTokens(
    form: Record<string, unknown>,
    portalUrl: string,
    oauthServer: string,
): OAuthTokens {
    const auth = form.auth;
    if (!isObject(auth) || !isToken(auth.access_token) || !isToken(auth.refresh_token)) {
        throw invalidArgument(
            'auth',
            'install-no-tokens',
            'the installation callback carries no auth[access_token] and auth[refresh_token]',
        );
    }
    const endpoint = typeof auth.client_endpoint === 'string' ? auth.client_endpoint : '';
    if (hostOf(endpoint) !== portalHost(portalUrl)) {
        throw invalidArgument(
            'auth',
            'install-other-portal',
            `the installation callback comes from another portal than ${portalHost(portalUrl)}`,
            {
                host: portalHost(portalUrl),
            },
        );
    }
    const tokens = tokensFromGrant(auth);
    if (tokens.serverEndpoint !== undefined && !isTrustedOAuthServer(tokens.serverEndpoint, oauthServer)) {
        // Quoted when it is no URL: the text goes into a log line, and comes from outside.
        const host = hostOf(tokens.serverEndpoint) || JSON.stringify(tokens.serverEndpoint.slice(0, 80));
        throw invalidArgument(
            'auth',
            'install-oauth-server',
            `the installation callback names the token server ${host}, which is neither Bitrix24's nor the portal node's OAuth URL; if your portal really uses it, enter it as the OAuth URL`,
            { host },
        );
    }
    if (!tokens.applicationToken)
        throw invalidArgument(
            'auth',
            'install-no-app-token',
            'the installation callback carries no auth[application_token]',
        );
    return tokens;
}

function isToken(value: unknown): value is string {
    return typeof value === 'string' && value !== '';
}

function hostOf(url: string): string {
    try {
        return portalHost(url);
    } catch {
        return '';
    }
}
