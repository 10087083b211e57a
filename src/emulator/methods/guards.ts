// Checks shared by the event methods (docs/bitrix24.md §0.1, §0.2, per source lib/api/event.php).
import { AUTH_OAUTH, type CallContext, isAdmin } from '../rest/context';
import { accessDenied, wrongAuthType } from '../rest/errors';
import type { App } from '../store/apps';

/** Every event.* method: OAuth (application) auth only; a webhook gets 403 WRONG_AUTH_TYPE. */
export function requireOAuthApp(ctx: CallContext): App {
    if (ctx.auth.type !== AUTH_OAUTH || !ctx.auth.app) throw wrongAuthType();
    return ctx.auth.app;
}

/** event.offline.*: a portal administrator's token only. */
export function requireAdmin(ctx: CallContext): void {
    if (!isAdmin(ctx)) throw accessDenied();
}
