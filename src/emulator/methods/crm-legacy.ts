// The legacy crm.deal.* / crm.contact.* / crm.lead.* / crm.company.* methods: UPPER_CASE fields,
// string values, `error: ""` for their own errors (docs/bitrix24.md §9, §11: crm.deal.get answers
// `{"error":"","error_description":"Not found"}`).
import { formatIso } from '../php/datetime';
import { textOf, type PhpArray } from '../php/values';
import { ok, type CallContext, type MethodHandler, type MethodResult } from '../rest/context';
import { RestError } from '../rest/errors';
import type { CrmItem } from '../store/crm-store';
import { listedItems } from './crm-item';
import { itemToLegacyField, legacyToItemField } from './field-names';
import { fieldsParam, idParam, listParam, lowerKeys, page } from './params';

function legacyError(description: string): RestError {
    return new RestError('', description);
}

function legacyOutput(item: CrmItem, offsetMinutes: number): Record<string, unknown> {
    const result: Record<string, unknown> = { ID: String(item.id) };
    for (const [name, value] of Object.entries(item.fields)) {
        result[itemToLegacyField(name)] = value === null || typeof value === 'object' ? value : textOf(value);
    }
    result.CREATED_BY_ID = String(item.createdBy);
    result.MODIFY_BY_ID = String(item.updatedBy);
    result.DATE_CREATE = formatIso(item.createdTime, offsetMinutes);
    result.DATE_MODIFY = formatIso(item.updatedTime, offsetMinutes);
    return result;
}

function legacyFields(fields: Record<string, unknown>): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(fields)) result[legacyToItemField(name)] = value;
    return result;
}

function requireId(q: PhpArray): number {
    const id = idParam(q, 'id');
    if (id <= 0) throw legacyError('ID is not defined or invalid.');
    return id;
}

function requireFields(q: PhpArray): Record<string, unknown> {
    const fields = fieldsParam(q);
    if (!fields) throw legacyError("Parameter 'fields' must be array.");
    return legacyFields(fields);
}

export function legacyCrmMethods(prefix: string, entityTypeId: number): Record<string, MethodHandler> {
    const add = (query: PhpArray, ctx: CallContext): MethodResult => {
        const item = ctx.portal.changes.crmAdd(ctx.scope, entityTypeId, requireFields(lowerKeys(query)));
        return ok(item.id);
    };
    const update = (query: PhpArray, ctx: CallContext): MethodResult => {
        const q = lowerKeys(query);
        const id = requireId(q);
        if (!ctx.portal.crm.get(entityTypeId, id)) throw legacyError('Not found');
        ctx.portal.changes.crmUpdate(ctx.scope, entityTypeId, id, requireFields(q));
        return ok(true);
    };
    const get = (query: PhpArray, ctx: CallContext): MethodResult => {
        const item = ctx.portal.crm.get(entityTypeId, requireId(lowerKeys(query)));
        if (!item) throw legacyError('Not found');
        return ok(legacyOutput(item, ctx.portal.info.offsetMinutes));
    };
    const remove = (query: PhpArray, ctx: CallContext): MethodResult => {
        const id = requireId(lowerKeys(query));
        if (!ctx.portal.changes.crmDelete(ctx.scope, entityTypeId, id)) throw legacyError('Not found');
        return ok(true);
    };
    const list = (query: PhpArray, ctx: CallContext): MethodResult => {
        const q = lowerKeys(query);
        const offset = ctx.portal.info.offsetMinutes;
        const items = listedItems(q, ctx, entityTypeId, legacyToItemField);
        const select = listParam(q, 'select').map((name) => name.toUpperCase());
        const { rows, next, total } = page(items, ctx.start);
        const output = rows.map((item) => {
            const full = legacyOutput(item, offset);
            if (select.length === 0 || select.includes('*')) return full;
            const picked: Record<string, unknown> = { ID: full.ID };
            for (const name of select) if (name in full) picked[name] = full[name];
            return picked;
        });
        return { result: output, next, total };
    };
    return {
        [`${prefix}.add`]: add,
        [`${prefix}.update`]: update,
        [`${prefix}.get`]: get,
        [`${prefix}.list`]: list,
        [`${prefix}.delete`]: remove,
    };
}
