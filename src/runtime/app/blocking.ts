import type { Bitrix24Client, Bitrix24Error, PlanFeature } from '../../bitrix24';
import { isObject } from '../../bitrix24/internal';

/**
 * Answers after which a portal is blocked rather than retried (docs/bitrix24.md §7, §9): its
 * subscription ran out, the application was removed or its access revoked, the portal was
 * deleted, or its plan lacks what the application needs. Nothing a retry soon would cure.
 */
const BLOCKING = new Set(['PAYMENT_REQUIRED', 'ERROR_OAUTH', 'PORTAL_DELETED', 'WRONG_LICENSE']);

/** The installing user is no longer an administrator (user.admin answers false). */
export const NOT_ADMIN = 'NOT_ADMIN';

/** The block reason of an error, if it blocks the portal. */
export function blockReason(err: Bitrix24Error): string | undefined {
    return BLOCKING.has(err.code) ? err.code : undefined;
}

/** An answer that may mean the installing user lost the administrator role (docs/bitrix24.md §5). */
export function mayBeNotAdmin(err: Bitrix24Error): boolean {
    return err.code === 'ACCESS_DENIED';
}

/** `user.admin` of the token's user; undefined when the portal does not say. */
export async function isAdmin(client: Bitrix24Client): Promise<boolean | undefined> {
    try {
        return (await client.call('user.admin')).result === true;
    } catch {
        return undefined;
    }
}

/**
 * The rare check of a blocked portal, as cheap as can tell: `app.info` (it fails while the
 * subscription is out, the app removed or the portal deleted), then `user.admin` when the
 * installing user had lost the role, or `feature.get` for the plan feature a WRONG_LICENSE named
 * (app.info works on a plan without it; https://apidocs.bitrix24.com/api-reference/common/system/feature-get.html).
 */
export async function worksAgain(
    client: Bitrix24Client,
    reason: string,
    feature?: PlanFeature,
): Promise<boolean> {
    try {
        await client.call('app.info');
        if (reason === NOT_ADMIN) return (await isAdmin(client)) === true;
        if (reason === 'WRONG_LICENSE' && feature) {
            const { result } = await client.call('feature.get', { CODE: feature });
            return isObject(result) && result.value === 'Y';
        }
        return true;
    } catch {
        return false;
    }
}
