import type { Bitrix24Error } from '../../bitrix24';

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
