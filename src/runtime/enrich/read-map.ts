import { Bitrix24Error, LocalCode, normalizeMethod } from '../../bitrix24';
import { isObject } from '../../bitrix24/internal';

/** The read that gives an event's object as it is now. */
export interface ObjectRead {
    method: string;
    params: Record<string, unknown>;
    /** Same key = same object: several events of one object are read once. */
    key: string;
    /**
     * The method answers an object it cannot show with an empty list instead of an error:
     * tasks.task.get of a deleted or hidden task gives 200 `{"result":[]}` (docs/bitrix24.md §15).
     */
    emptyMeansGone?: true;
}

/** What to do with one event: read its object, mark it deleted, or leave it alone. */
export type EventPlan = { read: ObjectRead } | { deleted: true } | { unmapped: true };

/** A user's entry: a method, optionally with fixed params and the name of its id parameter. */
export interface UserRule {
    method: string;
    /** The parameter that takes the object id; default `id`. */
    idParam?: string;
    params?: Record<string, unknown>;
}

export type UserMap = Record<string, string | UserRule>;

interface EventLike {
    EVENT_NAME: string;
    EVENT_DATA?: unknown;
}

/** crm.item entity type ids (docs/bitrix24.md §11). */
const CRM_TYPES: Record<string, number> = { LEAD: 1, DEAL: 2, CONTACT: 3, COMPANY: 4, QUOTE: 7 };
const CRM_EVENT = /^ONCRM(LEAD|DEAL|CONTACT|COMPANY|QUOTE)(?:ADD|UPDATE|DELETE|MOVETOCATEGORY)$/;
const DYNAMIC_EVENT = /^ONCRMDYNAMICITEM(?:ADD|UPDATE|DELETE)(?:_(\d+))?$/;
const ACTIVITY_EVENT = /^ONCRMACTIVITY(?:ADD|UPDATE|DELETE)$/;
const TASK_EVENT = /^ONTASK(?:ADD|UPDATE|DELETE)$/;
const DELETE_EVENT = /DELETE(?:_\d+)?$/;

/**
 * How each event's object is read (docs/bitrix24.md §11): crm.item.get for leads, deals, contacts,
 * companies, quotes and smart processes, crm.activity.get, tasks.task.get; a user's map
 * (`{"ONCRMPRODUCT*": {"method": "crm.product.get"}}`) comes first.
 */
export function planFor(event: EventLike, userMap: UserMap = {}): EventPlan {
    const name = event.EVENT_NAME.toUpperCase();
    const rule = userRule(name, userMap);
    const id = objectId(event.EVENT_DATA);
    const read = rule ? userRead(rule, id) : builtinRead(name, event.EVENT_DATA, id);
    if (!read) return { unmapped: true };
    return DELETE_EVENT.test(name) ? { deleted: true } : { read };
}

function builtinRead(name: string, data: unknown, id: number | undefined): ObjectRead | undefined {
    if (id === undefined) return undefined;
    const crm = CRM_EVENT.exec(name);
    if (crm) return itemRead(CRM_TYPES[crm[1]], id);
    const dynamic = DYNAMIC_EVENT.exec(name);
    if (dynamic) {
        const typeId = positiveInt(fieldsOf(data, 'FIELDS')?.ENTITY_TYPE_ID) ?? positiveInt(dynamic[1]);
        return typeId === undefined ? undefined : itemRead(typeId, id);
    }
    if (ACTIVITY_EVENT.test(name)) return read('crm.activity.get', { id });
    if (TASK_EVENT.test(name)) return { ...read('tasks.task.get', { taskId: id }), emptyMeansGone: true };
    return undefined;
}

function itemRead(entityTypeId: number, id: number): ObjectRead {
    return read('crm.item.get', { entityTypeId, id });
}

function userRead(rule: UserRule, id: number | undefined): ObjectRead | undefined {
    if (id === undefined) return undefined;
    return read(rule.method, { ...rule.params, [rule.idParam ?? 'id']: id });
}

function read(method: string, params: Record<string, unknown>): ObjectRead {
    return { method, params, key: `${method} ${JSON.stringify(params)}` };
}

/** The id of the changed object: `FIELDS.ID` for CRM, `FIELDS_AFTER.ID` or `FIELDS_BEFORE.ID` for tasks. */
export function objectId(data: unknown): number | undefined {
    for (const part of ['FIELDS', 'FIELDS_AFTER', 'FIELDS_BEFORE']) {
        const id = positiveInt(fieldsOf(data, part)?.ID);
        if (id !== undefined) return id;
    }
    return undefined;
}

/** `EVENT_DATA` may be `false`, and a task's FIELDS_BEFORE the string "undefined" (docs/bitrix24.md §1, §11). */
function fieldsOf(data: unknown, part: string): Record<string, unknown> | undefined {
    const fields = isObject(data) ? data[part] : undefined;
    return isObject(fields) ? fields : undefined;
}

function positiveInt(value: unknown): number | undefined {
    const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    return typeof number === 'number' && Number.isInteger(number) && number > 0 ? number : undefined;
}

function userRule(name: string, userMap: UserMap): UserRule | undefined {
    let best: { rule: UserRule; length: number } | undefined;
    for (const [key, value] of Object.entries(userMap)) {
        const pattern = key.toUpperCase();
        const exact = pattern === name;
        const prefix = pattern.endsWith('*') && name.startsWith(pattern.slice(0, -1));
        // The exact name wins; among prefixes, the longest.
        const length = exact ? Infinity : prefix ? pattern.length : -1;
        if (length >= 0 && (!best || length > best.length)) {
            best = { rule: typeof value === 'string' ? { method: value } : value, length };
        }
    }
    return best?.rule;
}

/** Checks a user's map (e.g. `msg.enrichMap`) before any request. */
export function checkUserMap(value: unknown): UserMap {
    if (value === undefined || value === null) return {};
    if (!isObject(value))
        throw invalidMap('the enrich map must be an object such as {"ONCRMPRODUCT*": "crm.product.get"}');
    const map: UserMap = {};
    for (const [key, entry] of Object.entries(value)) {
        const rule = typeof entry === 'string' ? { method: entry } : entry;
        if (
            !isObject(rule) ||
            (rule.idParam !== undefined && typeof rule.idParam !== 'string') ||
            (rule.params !== undefined && !isObject(rule.params))
        ) {
            throw invalidMap(
                `the enrich map's entry "${key}" must be a method name or {method, idParam?, params?}`,
                key,
            );
        }
        map[key] = { ...(rule as unknown as UserRule), method: normalizeMethod(rule.method) };
    }
    return map;
}

function invalidMap(description: string, key = ''): Bitrix24Error {
    return new Bitrix24Error({
        code: LocalCode.InvalidArgument,
        argument: 'enrichMap',
        reason: 'enrich-map',
        params: { key },
        description,
    });
}
