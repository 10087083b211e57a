// event.offline.clear and event.offline.error (docs/bitrix24.md §2, §3, per source Api\Event).
import { changeKeyCase, intval, isPhpArray, isset, strval, type PhpArray } from '../php/values';
import { connectorOf, ok, type CallContext, type MethodResult } from '../rest/context';
import { argumentError, argumentNull } from '../rest/errors';
import { requireAdmin, requireOAuthApp } from './guards';
import { processIdParam } from './params';

const MESSAGE_ID_ERROR = 'Value must be array of MESSAGE_ID values';

export function eventOfflineClear(query: PhpArray, ctx: CallContext): MethodResult {
    const app = requireOAuthApp(ctx);
    requireAdmin(ctx);
    const q = changeKeyCase(query, 'lower');
    const processId = processIdParam(q);
    const connector = connectorOf(ctx.auth);
    if (processId === null) throw argumentNull('PROCESS_ID');
    const queue = ctx.portal.queue;

    let cleared: number;
    // docs/bitrix24.md §2: the docs say `id` wins; the source uses `message_id` whenever it is present.
    if (isset(q, 'message_id')) {
        const list = q.get('message_id');
        if (!isPhpArray(list)) throw argumentError(MESSAGE_ID_ERROR, 'message_id');
        const messageIds: string[] = [];
        for (const value of list.values()) {
            const messageId = strval(value).trim();
            // The source spells this argument 'messsage_id'.
            if ([...messageId].length !== 32) throw argumentError(MESSAGE_ID_ERROR, 'messsage_id');
            messageIds.push(messageId);
        }
        // An empty list leaves the filter off: the whole reservation is deleted (per source).
        cleared = queue.clear(
            app.id,
            connector,
            processId,
            messageIds.length > 0 ? { messageIds } : undefined,
        );
    } else {
        const ids: number[] = [];
        if (isset(q, 'id')) {
            const list = q.get('id');
            if (!isPhpArray(list)) throw argumentError('Value must be array of integers', 'id');
            for (const value of list.values()) {
                const id = intval(value);
                if (id <= 0) throw argumentError('Value must be array of integers', 'id');
                ids.push(id);
            }
        }
        cleared = queue.clear(app.id, connector, processId, ids.length > 0 ? { ids } : undefined);
    }
    ctx.portal.counters.rowsCleared += cleared;
    // true even when nothing matched (docs/bitrix24.md §2).
    return ok(true);
}

export function eventOfflineError(query: PhpArray, ctx: CallContext): MethodResult {
    const app = requireOAuthApp(ctx);
    requireAdmin(ctx);
    const q = changeKeyCase(query, 'lower');
    const processId = processIdParam(q);
    const messageIds = isset(q, 'message_id') ? q.get('message_id') : null;
    const connector = connectorOf(ctx.auth);
    if (processId === null) throw argumentNull('PROCESS_ID');
    // docs/bitrix24.md §3: the docs call message_id optional; the source requires an array (no length check).
    if (!isPhpArray(messageIds)) throw argumentError(MESSAGE_ID_ERROR, 'message_id');
    if (messageIds.size > 0) {
        const values = [...messageIds.values()].map((value) => strval(value));
        ctx.portal.counters.rowsErrored += ctx.portal.queue.markError(app.id, connector, processId, values);
    }
    return ok(true);
}
