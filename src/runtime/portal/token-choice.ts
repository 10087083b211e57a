import type { OAuthTokens, StoredTokens } from '../../bitrix24';
import { fingerprint } from '../../bitrix24/internal';
import type { PortalCredentials } from './portal-settings';

/**
 * Which tokens to start with: the token file when it descends from the deployed credentials
 * (it holds the rotated pair; the deployed refresh token may already be spent), the deployed
 * credentials when the user entered new ones since (design: "OAuth done right").
 */
export function chooseTokens(
    deployed: PortalCredentials,
    stored: StoredTokens | undefined,
): { tokens: OAuthTokens; basis: string; source: 'file' | 'credentials' } {
    const basis = fingerprint(deployed.refreshToken);
    const fromCredentials: OAuthTokens = {
        accessToken: deployed.accessToken || undefined,
        refreshToken: deployed.refreshToken || undefined,
        applicationToken: deployed.applicationToken || undefined,
    };
    const fileIsNewer =
        stored !== undefined &&
        (!deployed.refreshToken || stored.basis === basis || stored.refreshToken === deployed.refreshToken);
    if (!fileIsNewer) return { tokens: fromCredentials, basis, source: 'credentials' };
    const { basis: storedBasis, savedAt: _savedAt, ...tokens } = stored;
    return {
        tokens: { ...tokens, applicationToken: tokens.applicationToken ?? fromCredentials.applicationToken },
        basis: storedBasis,
        source: 'file',
    };
}
