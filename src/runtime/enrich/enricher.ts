import { type Bitrix24Client, type Bitrix24Error } from '../../bitrix24';
import { isObject } from '../../bitrix24/internal';
import { retryKind } from '../../bitrix24/retry';
import { fieldSelector } from './field-select';
import { planFor, type ObjectRead, type UserMap } from './read-map';

/** An event as offline-get gives it; only its name and data are read here. */
export interface EventLike {
    EVENT_NAME: string;
    EVENT_DATA?: unknown;
}

/** What enrich adds to an event (design: "events with .object or .deleted"). */
export interface Enrichment {
    /** The object as the portal returns it now (`{item}` / `{task}` unwrapped). */
    object?: unknown;
    /** A `...DELETE` event, or an object the portal no longer has. */
    deleted?: true;
    /** The read failed for a reason that a retry will not cure (e.g. ACCESS_DENIED). */
    error?: { code: string; message: string };
}

export interface EnrichOptions {
    /** Comma-separated field names; empty = all. */
    select?: string;
    /** `drop` leaves out the events whose object is gone. */
    onMissing?: 'tombstone' | 'drop';
    map?: UserMap;
    describeError?: (error: Bitrix24Error) => { code: string; message: string };
}

export interface EnrichResult<T> {
    events: (T & Enrichment)[];
    /** Event names no read is known for; those events passed through untouched. */
    unmapped: string[];
    /** Objects read (one per object, however many events named it). */
    reads: number;
}

type ReadOutcome = { object: unknown } | { gone: true } | { error: Bitrix24Error };

/** crm.item.get: NOT_FOUND; legacy crm.*.get: "" + "Not found"; tasks: ERROR_CORE "...not found..." (docs/bitrix24.md §9, §11). */
const GONE = new Set(['NOT_FOUND', 'ERROR_NOT_FOUND', 'ERROR_ENTITY_NOT_FOUND']);
const WRAPPERS = new Set(['item', 'task']);

/**
 * Adds the current state of each changed object to offline events, reading each object once,
 * 50 reads per `batch` request. A temporary failure (rate or time limit, network) fails the whole
 * call, so that the events are processed later rather than without their objects.
 */
export class Enricher {
    constructor(private readonly client: Bitrix24Client) {}

    async enrich<T extends EventLike>(
        events: readonly T[],
        options: EnrichOptions = {},
    ): Promise<EnrichResult<T>> {
        const plans = events.map((event) => planFor(event, options.map));
        const reads = new Map<string, ObjectRead>();
        for (const plan of plans) if ('read' in plan) reads.set(plan.read.key, plan.read);
        const outcomes = await this.read([...reads.values()], fieldSelector(options.select ?? ''));
        const describe = options.describeError ?? ((error) => ({ code: error.code, message: error.message }));
        const unmapped = new Set<string>();
        const enriched: (T & Enrichment)[] = [];
        events.forEach((event, i) => {
            const plan = plans[i];
            if ('unmapped' in plan) {
                unmapped.add(event.EVENT_NAME);
                enriched.push(event);
                return;
            }
            const outcome: ReadOutcome = 'read' in plan ? outcomes.get(plan.read.key)! : { gone: true };
            if ('gone' in outcome) {
                if (options.onMissing !== 'drop') enriched.push({ ...event, deleted: true });
            } else if ('error' in outcome) {
                enriched.push({ ...event, error: describe(outcome.error) });
            } else {
                enriched.push({ ...event, object: outcome.object });
            }
        });
        return { events: enriched, unmapped: [...unmapped], reads: reads.size };
    }

    private async read(
        reads: ObjectRead[],
        select: (object: unknown) => unknown,
    ): Promise<Map<string, ReadOutcome>> {
        const outcomes = new Map<string, ReadOutcome>();
        if (reads.length === 0) return outcomes;
        const items = await this.client.batch(reads.map(({ method, params }) => ({ method, params })));
        items.forEach((item, i) => {
            const { error } = item;
            const result = item.response?.result;
            if (!error && reads[i].emptyMeansGone && isEmptyList(result)) {
                outcomes.set(reads[i].key, { gone: true });
            } else if (!error) outcomes.set(reads[i].key, { object: select(unwrap(result)) });
            else if (isGone(error)) outcomes.set(reads[i].key, { gone: true });
            else if (retryKind(error, true)) throw error;
            else outcomes.set(reads[i].key, { error });
        });
        return outcomes;
    }
}

export function isGone(error: Bitrix24Error): boolean {
    return GONE.has(error.code) || (error.code === 'ERROR_CORE' && /not found/i.test(error.description));
}

function isEmptyList(result: unknown): boolean {
    return Array.isArray(result) && result.length === 0;
}

/** crm.item.get answers `{item: {...}}`, tasks.task.get `{task: {...}}`. */
function unwrap(result: unknown): unknown {
    if (!isObject(result)) return result;
    const keys = Object.keys(result);
    return keys.length === 1 && WRAPPERS.has(keys[0]) ? result[keys[0]] : result;
}
