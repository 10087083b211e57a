import type { Bitrix24Client, PlanFeature } from '../../bitrix24';
import { isObject } from '../../bitrix24/internal';

/** What "Test connection" shows in the editor. */
export interface ConnectionReport {
    ok: true;
    authType: 'oauth' | 'webhook';
    user: { id: string; name: string };
    admin: boolean;
    features: Record<PlanFeature, boolean>;
}

/**
 * Who the token belongs to, whether that user is an administrator (needed for offline events,
 * docs/bitrix24.md §0.2) and which plan features the portal has (docs/bitrix24.md §0.4, §0.5), in one `batch` request.
 */
export async function connectionReport(client: Bitrix24Client): Promise<ConnectionReport> {
    const [profile, admin, extended, connector] = await client.batch([
        { method: 'profile' },
        { method: 'user.admin' },
        { method: 'feature.get', params: { CODE: 'rest_offline_extended' } },
        { method: 'feature.get', params: { CODE: 'rest_auth_connector' } },
    ]);
    if (profile.error) throw profile.error;
    const user = isObject(profile.response?.result) ? profile.response.result : {};
    const name = [user.NAME, user.LAST_NAME].filter((part) => typeof part === 'string' && part).join(' ');
    const enabled = (item: typeof extended) =>
        isObject(item.response?.result) && item.response.result.value === 'Y';
    return {
        ok: true,
        authType: client.auth.kind,
        user: { id: typeof user.ID === 'string' || typeof user.ID === 'number' ? String(user.ID) : '', name },
        admin: admin.response?.result === true || user.ADMIN === true,
        features: { rest_offline_extended: enabled(extended), rest_auth_connector: enabled(connector) },
    };
}
