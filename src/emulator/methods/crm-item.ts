// crm.item.add / update / get / list / delete for lead (1), deal (2), contact (3), company (4),
// quote (7) and smart processes. Changes raise the ONCRM* events of docs/bitrix24.md §11.
import { formatIso } from '../php/datetime';
import { isPhpArray, strval, textOf, type PhpArray } from '../php/values';
import { ok, type CallContext, type MethodResult } from '../rest/context';
import { RestError } from '../rest/errors';
import type { CrmItem } from '../store/crm-store';
import { itemMatches, parseItemFilter } from './item-filter';
import { fieldsParam, idParam, listParam, lowerKeys, page } from './params';

const TIME_FIELDS = new Set(['createdTime', 'updatedTime']);

export function itemOutput(item: CrmItem, offsetMinutes: number): Record<string, unknown> {
    return {
        id: item.id,
        createdTime: formatIso(item.createdTime, offsetMinutes),
        updatedTime: formatIso(item.updatedTime, offsetMinutes),
        createdBy: item.createdBy,
        updatedBy: item.updatedBy,
        ...item.fields,
        entityTypeId: item.entityTypeId,
    };
}

export function readItemField(item: CrmItem, field: string): unknown {
    if (field === 'id') return item.id;
    if (field === 'entityTypeId') return item.entityTypeId;
    if (field === 'createdTime') return item.createdTime;
    if (field === 'updatedTime') return item.updatedTime;
    if (field === 'createdBy') return item.createdBy;
    if (field === 'updatedBy') return item.updatedBy;
    return item.fields[field];
}

export interface ItemOrderTerm {
    field: string;
    descending: boolean;
}

export function itemOrder(terms: readonly ItemOrderTerm[]): (a: CrmItem, b: CrmItem) => number {
    return (a, b) => {
        for (const term of terms) {
            const left = readItemField(a, term.field);
            const right = readItemField(b, term.field);
            const result =
                typeof left === 'number' && typeof right === 'number'
                    ? left - right
                    : textOf(left).localeCompare(textOf(right));
            if (result !== 0) return term.descending ? -result : result;
        }
        return a.id - b.id;
    };
}

function entityType(q: PhpArray, ctx: CallContext): number {
    const entityTypeId = idParam(q, 'entityTypeId');
    if (!ctx.portal.crm.hasType(entityTypeId)) throw new RestError('NOT_FOUND', 'SPA not found');
    return entityTypeId;
}

/** crm.item.get on a missing or deleted item: 400 NOT_FOUND (docs/bitrix24.md §11). */
function notFound(): RestError {
    return new RestError('NOT_FOUND', 'Item not found');
}

export function crmItemAdd(query: PhpArray, ctx: CallContext): MethodResult {
    const q = lowerKeys(query);
    const typeId = entityType(q, ctx);
    const item = ctx.portal.changes.crmAdd(ctx.scope, typeId, fieldsParam(q) ?? {});
    return ok({ item: itemOutput(item, ctx.portal.info.offsetMinutes) });
}

export function crmItemUpdate(query: PhpArray, ctx: CallContext): MethodResult {
    const q = lowerKeys(query);
    const typeId = entityType(q, ctx);
    const item = ctx.portal.changes.crmUpdate(ctx.scope, typeId, idParam(q, 'id'), fieldsParam(q) ?? {});
    if (!item) throw notFound();
    return ok({ item: itemOutput(item, ctx.portal.info.offsetMinutes) });
}

export function crmItemGet(query: PhpArray, ctx: CallContext): MethodResult {
    const q = lowerKeys(query);
    const item = ctx.portal.crm.get(entityType(q, ctx), idParam(q, 'id'));
    if (!item) throw notFound();
    return ok({ item: itemOutput(item, ctx.portal.info.offsetMinutes) });
}

export function crmItemDelete(query: PhpArray, ctx: CallContext): MethodResult {
    const q = lowerKeys(query);
    const typeId = entityType(q, ctx);
    if (!ctx.portal.changes.crmDelete(ctx.scope, typeId, idParam(q, 'id'))) throw notFound();
    return ok([]);
}

/** The list pipeline of crm.item.list and the legacy crm.*.list: the items of one type matching
 * `filter`, sorted by `order` (ID ascending by default); `fieldName` maps a parameter's field
 * names to item fields. */
export function listedItems(
    q: PhpArray,
    ctx: CallContext,
    entityTypeId: number,
    fieldName: (name: string) => string,
): CrmItem[] {
    const offset = ctx.portal.info.offsetMinutes;
    const conditions = parseItemFilter(q.get('filter'), fieldName);
    const order = q.get('order');
    const terms = isPhpArray(order)
        ? [...order].map(([field, direction]) => ({
              field: fieldName(field),
              descending: strval(direction).toUpperCase() === 'DESC',
          }))
        : [{ field: 'id', descending: false }];
    return ctx.portal.crm
        .list(entityTypeId)
        .filter((item) => itemMatches((field) => readItemField(item, field), conditions, TIME_FIELDS, offset))
        .sort(itemOrder(terms));
}

export function crmItemList(query: PhpArray, ctx: CallContext): MethodResult {
    const q = lowerKeys(query);
    const typeId = entityType(q, ctx);
    const offset = ctx.portal.info.offsetMinutes;
    const items = listedItems(q, ctx, typeId, (name) => name);
    const select = listParam(q, 'select');
    const { rows, next, total } = page(items, ctx.start);
    const output = rows.map((item) => selectFields(itemOutput(item, offset), select));
    return { result: { items: output }, next, total };
}

function selectFields(item: Record<string, unknown>, select: string[]): Record<string, unknown> {
    if (select.length === 0 || select.includes('*')) return item;
    const result: Record<string, unknown> = { id: item.id };
    for (const field of select) if (field in item) result[field] = item[field];
    return result;
}
