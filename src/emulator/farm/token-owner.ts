// The shared token server's lookup: Bitrix24's token server serves every portal, and finds the
// portal a request belongs to by its refresh token or authorization code (docs/bitrix24.md §7).
import type { TokenRequestField } from '../oauth/oauth-server';
import type { Portal } from '../portal';

/**
 * The portal that issued the request's refresh token or code. An unknown token falls to a portal
 * where the client is installed (so it answers invalid_grant), and an unknown client to none
 * (invalid_client).
 */
export function tokenOwner(portals: readonly Portal[], read: TokenRequestField): Portal | undefined {
    const grantType = read('grant_type');
    const refreshToken = read('refresh_token');
    const code = read('code');
    const owner =
        grantType === 'refresh_token'
            ? portals.find((portal) => portal.tokens.holdsRefresh(refreshToken))
            : grantType === 'authorization_code'
              ? portals.find((portal) => portal.tokens.holdsCode(code))
              : undefined;
    if (owner) return owner;
    const clientId = read('client_id');
    return (
        portals.find((portal) => portal.apps.byClientId(clientId)?.installed) ??
        portals.find((portal) => portal.apps.byClientId(clientId))
    );
}
