// The JSON the OAuth server returns for a grant (docs/bitrix24.md §7): note that `domain` is the OAuth
// server's domain, not the portal's.
import type { Clock } from '../clock';
import { clientEndpoint, serverEndpoint, type PortalInfo } from '../portal-info';
import type { App } from '../store/apps';
import type { Grant } from './token-store';

export function tokenResponse(
    grant: Grant,
    app: App,
    info: PortalInfo,
    clock: Clock,
): Record<string, unknown> {
    return {
        access_token: grant.accessToken,
        expires: grant.expires,
        expires_in: Math.max(0, grant.expires - clock.nowSeconds()),
        scope: grant.scope.join(','),
        domain: info.tokenDomain,
        server_endpoint: serverEndpoint(info),
        status: app.status,
        client_endpoint: clientEndpoint(info),
        member_id: info.memberId,
        user_id: grant.userId,
        refresh_token: grant.refreshToken,
    };
}
