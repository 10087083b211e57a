// Reading method parameters the way D7 controllers and legacy REST proxies do: names are
// case-insensitive, ids go through intval(), `fields` must be an array.
import {
    changeKeyCase,
    intval,
    isPhpArray,
    isset,
    strval,
    toPlain,
    type PhpArray,
    type PhpValue,
} from '../php/values';

export function lowerKeys(query: PhpArray): PhpArray {
    return changeKeyCase(query, 'lower');
}

export function idParam(q: PhpArray, ...names: string[]): number {
    for (const name of names) {
        const value = q.get(name.toLowerCase());
        if (value !== undefined && value !== null) return intval(value);
    }
    return 0;
}

/** The `fields` array as a plain object, or null when it is missing or not an array. */
export function fieldsParam(q: PhpArray): Record<string, unknown> | null {
    const fields: PhpValue | undefined = q.get('fields');
    if (!isPhpArray(fields)) return null;
    const plain = toPlain(fields);
    return plain !== null && typeof plain === 'object' && !Array.isArray(plain)
        ? (plain as Record<string, unknown>)
        : {};
}

/** `process_id`, trimmed, or null when it is not set (isset: absent or null). */
export function processIdParam(q: PhpArray): string | null {
    return isset(q, 'process_id') ? strval(q.get('process_id')).trim() : null;
}

export function listParam(q: PhpArray, name: string): string[] {
    const value = q.get(name);
    if (!isPhpArray(value)) return [];
    return [...value.values()].map((item) => (typeof item === 'string' ? item : String(item as number)));
}

export const PAGE_SIZE = 50;

/** `start=-1` turns counting off: the first page, no `total`, no `next` (docs/bitrix24.md §15.11). */
export const START_WITHOUT_COUNT = -1;

export function page<T>(rows: T[], start: number): { rows: T[]; next?: number; total?: number } {
    if (start === START_WITHOUT_COUNT) return { rows: rows.slice(0, PAGE_SIZE) };
    const offset = Math.max(0, start);
    const slice = rows.slice(offset, offset + PAGE_SIZE);
    const next = offset + slice.length < rows.length ? offset + slice.length : undefined;
    return { rows: slice, next, total: rows.length };
}
