// event.offline.list (docs/bitrix24.md §4, per source Api\Event::eventOfflineList): a read-only view of
// every row of the app and connector, 50 per page from `start`, default order ID ASC.
import { changeKeyCase, isset, type PhpArray } from '../php/values';
import { connectorOf, type CallContext, type MethodResult } from '../rest/context';
import { requireAdmin, requireOAuthApp } from './guards';
import { LIST_FIELDS, rowFilter, rowOrder, sanitizeFilter, sanitizeOrder } from './offline-filter';
import { listRow } from './offline-output';
import { page } from './params';

export function eventOfflineList(query: PhpArray, ctx: CallContext): MethodResult {
    const app = requireOAuthApp(ctx);
    requireAdmin(ctx);
    const { portal } = ctx;
    const q = changeKeyCase(query, 'lower');
    const filter = isset(q, 'filter') ? q.get('filter') : new Map();
    const order = isset(q, 'order') ? q.get('order') : new Map([['ID', 'ASC']]);
    const conditions = sanitizeFilter(filter, LIST_FIELDS, portal.info.offsetMinutes);
    const terms = sanitizeOrder(order, LIST_FIELDS);
    // Rows are kept in ID order already; only another order needs a sort.
    const byIdOnly =
        terms.length === 0 || (terms.length === 1 && terms[0].field === 'ID' && !terms[0].descending);
    const rows = portal.queue.list(
        app.id,
        connectorOf(ctx.auth),
        rowFilter(conditions),
        byIdOnly ? null : rowOrder(terms),
    );

    // getNavData: a negative start means "no offset" (-1: and no counting).
    const { rows: pageRows, next, total } = page(rows, ctx.start);
    const result = pageRows.map((row) => listRow(row, portal.info.offsetMinutes));
    // An intermediate core build calls countTotal() (which returns the flag) instead of
    // queryCountTotal(): `total` is 0 and `next` never comes (docs/bitrix24.md §15.5).
    if (portal.legacyPaging && total !== undefined) return { result, total: 0 };
    return { result, next, total };
}
