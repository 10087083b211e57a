import type { Bitrix24Client } from './client';
import { isObject } from './envelope';
import { invalidArgument } from './errors';
import { knownTotal, nextStart, PAGE_SIZE } from './paging';

/**
 * The offline-events API (docs/bitrix24.md §1-§4) and every rule it checks before a request, so that
 * bad input fails here with a clear message instead of at the portal.
 */

export interface OfflineEvent {
    ID: string;
    TIMESTAMP_X: string;
    EVENT_NAME: string;
    /** `{FIELDS:{ID}}` for CRM, `{FIELDS_BEFORE, FIELDS_AFTER, ...}` for tasks; may be `false`. */
    EVENT_DATA: unknown;
    EVENT_ADDITIONAL: unknown;
    MESSAGE_ID: string;
}

/** A row of `event.offline.list`, which also shows the reservation and the error flag. */
export interface OfflineRow extends OfflineEvent {
    PROCESS_ID: string;
    ERROR: string;
}

export interface Reservation {
    /** Null in delete mode (clear=1) when no process_id was given. */
    processId: string | null;
    events: OfflineEvent[];
}

export type ReadMode = 'reserve' | 'delete';

export interface GetRequest {
    /** `reserve` = clear=0 (at-least-once, needs rest_offline_extended); `delete` = clear=1. */
    mode: ReadMode;
    errorQueue?: boolean;
    limit?: number;
    filter?: Record<string, unknown>;
    order?: Record<string, unknown>;
    /** Re-reads this reservation instead of reserving new rows. */
    processId?: string;
    authConnector?: string;
}

export interface ClearRequest {
    processId: string;
    /** Only these rows of the reservation; absent = all of it. */
    messageIds?: string[];
    authConnector?: string;
    /** See CallOptions.lingerMs: a confirmation may wait to share a request. */
    lingerMs?: number;
}

export interface ListRequest {
    filter?: Record<string, unknown>;
    order?: Record<string, unknown>;
    start?: number;
    authConnector?: string;
}

export interface ListPage {
    rows: OfflineRow[];
    /** From a build that counts no total (docs/bitrix24.md §15): the rows up to this page's end. */
    total: number;
    next?: number;
}

export interface QueueStats {
    /** Every row of the app and connector: waiting, reserved and error rows. */
    backlog: number;
    reserved: number;
    errors: number;
    /** Seconds since the oldest row's last change; null for an empty queue. */
    oldestAgeSeconds: number | null;
    oldestTimestamp: string | null;
}

/** The rules of one method's filter and order, see resources/offline-filter-rules.js. */
export interface OfflineMethodRules {
    orderFields: string[];
    filterFields: string[];
    operators: string[];
    /** Whether each condition takes one value only (no list, no `@`). */
    scalarsOnly: boolean;
}

export interface OfflineFilterRules {
    get: OfflineMethodRules;
    list: OfflineMethodRules;
    splitKey(key: string): { op: string; field: string };
}

/**
 * The filter and order rules of both methods (docs/bitrix24.md §1). The editor reads the same file,
 * so a form never accepts what the runtime refuses, nor the reverse.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain script shared with the editor, outside src
export const OFFLINE_FILTER_RULES = require('../../resources/offline-filter-rules.js') as OfflineFilterRules;
const MESSAGE_ID = /^[0-9a-f]{32}$/i;

export class OfflineQueue {
    constructor(private readonly client: Bitrix24Client) {}

    async get(request: GetRequest): Promise<Reservation> {
        const params: Record<string, unknown> = {
            clear: request.mode === 'reserve' ? 0 : 1,
            error: request.errorQueue ? 1 : 0,
            limit: checkLimit(request.limit ?? 50),
        };
        if (request.filter !== undefined) params.filter = checkFilter(request.filter, 'get');
        if (request.order !== undefined) params.order = checkOrder(request.order, 'get');
        if (request.processId !== undefined) params.process_id = checkProcessId(request.processId);
        // Re-reading a reservation with clear=0 changes nothing, so it may be resent.
        const repeatable = request.processId !== undefined && request.mode === 'reserve';
        const { result } = await this.client.call<{ process_id: string | null; events: OfflineEvent[] }>(
            'event.offline.get',
            params,
            { authConnector: request.authConnector, repeatable },
        );
        return {
            processId: result?.process_id ?? null,
            events: Array.isArray(result?.events) ? result.events : [],
        };
    }

    async clear(request: ClearRequest): Promise<void> {
        const params: Record<string, unknown> = { process_id: checkProcessId(request.processId) };
        if (request.messageIds !== undefined) params.message_id = checkMessageIds(request.messageIds);
        await this.client.call('event.offline.clear', params, {
            authConnector: request.authConnector,
            lingerMs: request.lingerMs,
        });
    }

    /** Moves rows to the error sub-queue (docs/bitrix24.md §3); `message_id` is required by the server. */
    async error(request: ClearRequest & { messageIds: string[] }): Promise<void> {
        await this.client.call(
            'event.offline.error',
            {
                process_id: checkProcessId(request.processId),
                message_id: checkMessageIds(request.messageIds),
            },
            { authConnector: request.authConnector, lingerMs: request.lingerMs },
        );
    }

    async list(request: ListRequest = {}): Promise<ListPage> {
        const response = await this.client.call<OfflineRow[]>('event.offline.list', listParams(request), {
            authConnector: request.authConnector,
        });
        const rows = Array.isArray(response.result) ? response.result : [];
        const start = request.start ?? 0;
        return {
            rows,
            total: knownTotal(response, start, rows.length) ?? start + rows.length,
            next: nextStart(response, start, rows.length),
        };
    }

    async listAll(request: ListRequest = {}): Promise<OfflineRow[]> {
        return this.client.listAll<OfflineRow>('event.offline.list', listParams(request), {
            authConnector: request.authConnector,
        });
    }

    /**
     * Backlog, reserved and error rows and the oldest row, in one `batch` request; a build that
     * counts no total (docs/bitrix24.md §15) has its full first pages counted by paging on.
     */
    async stats(authConnector?: string, now = Date.now()): Promise<QueueStats> {
        const queries: ListRequest[] = [
            { order: { TIMESTAMP_X: 'ASC' } },
            // A non-empty PROCESS_ID is "greater than the empty string" (docs/bitrix24.md §4).
            { filter: { '>PROCESS_ID': '' } },
            { filter: { ERROR: '1' } },
        ];
        const items = await this.client.batch(
            queries.map((query) => ({ method: 'event.offline.list', params: listParams(query) })),
            { authConnector },
        );
        for (const item of items) if (item.error) throw item.error;
        const [backlog, reserved, errors] = await Promise.all(
            items.map(async (item, i) => {
                const response = item.response ?? { result: [] };
                const rows = Array.isArray(response.result) ? response.result.length : 0;
                const total = knownTotal(response, 0, rows);
                if (total !== undefined || rows < PAGE_SIZE) return total ?? rows;
                return (await this.listAll({ ...queries[i], authConnector })).length;
            }),
        );
        const oldest = (items[0].response?.result as OfflineRow[] | undefined)?.[0];
        return {
            backlog,
            reserved,
            errors,
            oldestTimestamp: oldest?.TIMESTAMP_X ?? null,
            oldestAgeSeconds: oldest
                ? Math.max(0, Math.round((now - Date.parse(oldest.TIMESTAMP_X)) / 1000))
                : null,
        };
    }
}

function listParams(request: ListRequest): Record<string, unknown> {
    const params: Record<string, unknown> = {};
    if (request.filter !== undefined) params.filter = checkFilter(request.filter, 'list');
    if (request.order !== undefined) params.order = checkOrder(request.order, 'list');
    if (request.start !== undefined) params.start = request.start;
    return params;
}

export function checkLimit(limit: unknown): number {
    const value = typeof limit === 'string' && limit.trim() !== '' ? Number(limit) : limit;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
        throw invalidArgument(
            'limit',
            'limit',
            `limit must be a positive whole number, not ${JSON.stringify(limit)}`,
        );
    }
    return value;
}

export function checkProcessId(processId: unknown): string {
    if (typeof processId !== 'string' || processId.trim() === '') {
        throw invalidArgument(
            'process_id',
            'process-id',
            'a process_id is needed: pass on msg.process_id from the offline-get node that reserved the events',
        );
    }
    return processId.trim();
}

/** Each MESSAGE_ID is a 32-character md5 (docs/bitrix24.md §1, §2). */
export function checkMessageIds(ids: unknown): string[] {
    const list = typeof ids === 'string' ? [ids] : ids;
    if (!Array.isArray(list) || !list.every((id) => typeof id === 'string' && MESSAGE_ID.test(id))) {
        throw invalidArgument(
            'message_id',
            'message-ids',
            'message ids must be 32-character MESSAGE_ID strings (as in msg.message_id or the MESSAGE_ID of an event)',
        );
    }
    return list as string[];
}

export function checkFilter(filter: unknown, method: 'get' | 'list'): Record<string, unknown> {
    if (!isObject(filter)) {
        throw invalidArgument(
            'filter',
            'filter-not-object',
            'the filter must be an object such as {"EVENT_NAME": "ONCRMDEALUPDATE"}',
        );
    }
    const rules = OFFLINE_FILTER_RULES[method];
    const allowed = rules.filterFields;
    for (const [key, value] of Object.entries(filter)) {
        const { op, field } = OFFLINE_FILTER_RULES.splitKey(key);
        // An operator that no method knows makes the key name no field at all.
        if (!allowed.includes(field) || !OFFLINE_FILTER_RULES.list.operators.includes(op)) {
            throw invalidArgument(
                'filter',
                'filter-field',
                `the filter may only use the fields ${allowed.join(', ')}; "${key}" is not one of them`,
                { field: key, fields: allowed.join(', ') },
            );
        }
        if (rules.scalarsOnly && (typeof value === 'object' || op === '@')) {
            throw invalidArgument(
                'filter',
                'filter-list',
                `event.offline.get takes one value per filter field; "${key}" has a list`,
                {
                    field: key,
                },
            );
        }
        if (!rules.operators.includes(op)) {
            throw invalidArgument(
                'filter',
                'filter-operator',
                `event.offline.${method} filters with ${orList(rules.operators.filter(Boolean))} only; "${key}" uses ${op}`,
                { field: key },
            );
        }
    }
    return filter;
}

/** `["=", ">", "<"]` -> `"=, > or <"`. */
function orList(items: string[]): string {
    return items.length > 1
        ? `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`
        : items.join('');
}

export function checkOrder(order: unknown, method: 'get' | 'list'): Record<string, unknown> {
    const allowed = OFFLINE_FILTER_RULES[method].orderFields;
    if (!isObject(order))
        throw invalidArgument(
            'order',
            'order-not-object',
            'the order must be an object such as {"TIMESTAMP_X": "ASC"}',
        );
    for (const [key, value] of Object.entries(order)) {
        if (!allowed.includes(key.toUpperCase()) || !/^(asc|desc)$/i.test(String(value))) {
            throw invalidArgument(
                'order',
                'order-field',
                `the order may sort by ${allowed.join(', ')} with ASC or DESC; "${key}" cannot be used`,
                { field: key, fields: allowed.join(', ') },
            );
        }
    }
    return order;
}
