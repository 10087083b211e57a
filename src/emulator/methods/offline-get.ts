// event.offline.get (docs/bitrix24.md §1, per source Api\Event::eventOfflineGet).
import { changeKeyCase, intval, isset, type PhpArray } from '../php/values';
import type { SubQueue } from '../queue/offline-queue';
import { randomProcessId } from '../random';
import { connectorOf, ok, type CallContext, type MethodResult } from '../rest/context';
import { argumentError, wrongLicense } from '../rest/errors';
import { FEATURE_OFFLINE_EXTENDED } from '../store/features';
import { requireAdmin, requireOAuthApp } from './guards';
import {
    checkReservationFilter,
    GET_FIELDS,
    rowFilter,
    rowOrder,
    sanitizeFilter,
    sanitizeOrder,
} from './offline-filter';
import { getRow } from './offline-output';
import { processIdParam } from './params';

/** IRestService::LIST_LIMIT */
const DEFAULT_LIMIT = 50;

export function eventOfflineGet(query: PhpArray, ctx: CallContext): MethodResult {
    const app = requireOAuthApp(ctx);
    requireAdmin(ctx);
    const { portal } = ctx;
    const q = changeKeyCase(query, 'lower');

    // Values from forms and batch strings are strings: read them as PHP's intval() does.
    const clear = isset(q, 'clear') ? intval(q.get('clear')) : 1;
    let processId = processIdParam(q);
    if (!clear && !portal.hasFeature(FEATURE_OFFLINE_EXTENDED)) {
        throw wrongLicense('extended offline events handling');
    }
    const filter = isset(q, 'filter') ? q.get('filter') : new Map();
    const order = isset(q, 'order') ? q.get('order') : new Map([['TIMESTAMP_X', 'ASC']]);
    const limit = isset(q, 'limit') ? intval(q.get('limit')) : DEFAULT_LIMIT;
    const error = isset(q, 'error') && intval(q.get('error')) === 1 ? 1 : 0;
    const connector = connectorOf(ctx.auth);
    let returnProcessId = !clear;

    // No upper bound on limit, in the source or the docs (docs/bitrix24.md §1).
    if (limit <= 0) throw argumentError('Value must be positive integer', 'LIMIT');
    const conditions = sanitizeFilter(filter, GET_FIELDS, portal.info.offsetMinutes);
    const sort = rowOrder(sanitizeOrder(order, GET_FIELDS));
    const sub: SubQueue = { appId: app.id, connector, error };
    const selection = { filter: rowFilter(conditions), order: sort, limit };

    let rows;
    if (processId === null) {
        checkReservationFilter(conditions);
        processId = randomProcessId();
        rows = portal.queue.reserve(sub, selection, processId);
        if (!clear) portal.counters.rowsReserved += rows.length;
    } else {
        // Re-reading a reservation. With clear left at its default of 1, the rows are deleted
        // below; a process_id of '' addresses the unreserved rows (both per source).
        returnProcessId = true;
        rows = portal.queue.readProcess(sub, processId, selection);
    }
    const events = rows.map((row) => getRow(row, portal.info.offsetMinutes));

    if (clear && rows.length > 0) {
        // clearEvents deletes every row of the process, not only the `limit` rows returned.
        portal.counters.rowsCleared += portal.queue.clear(app.id, connector, processId);
    }
    return ok({ process_id: returnProcessId ? processId : null, events });
}
