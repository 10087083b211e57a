import { isObject, type RestResponse } from './envelope';

/** Rows per page of a list method (docs/bitrix24.md §9). */
export const PAGE_SIZE = 50;

/** The rows of a list reply: an array, or the one array inside (`{items: [...]}`, `{tasks: [...]}`). */
export function rowsOf<T>(result: unknown): T[] {
    if (Array.isArray(result)) return result as T[];
    if (isObject(result)) {
        const arrays = Object.values(result).filter(Array.isArray);
        if (arrays.length === 1) return arrays[0] as T[];
    }
    return [];
}

/**
 * Where the page after one starting at `start` begins: the reply's `next`, or, from a build that
 * sends no `next` (docs/bitrix24.md §15: `total` 0, no `next`), the row after a full page.
 * Undefined after the last page.
 */
export function nextStart(response: RestResponse, start: number, rowCount: number): number | undefined {
    if (typeof response.next === 'number') return response.next > start ? response.next : undefined;
    // A build that counts tells the total and sends `next` whenever more rows follow.
    if (knownTotal(response, start, rowCount) !== undefined) return undefined;
    return rowCount >= PAGE_SIZE ? start + rowCount : undefined;
}

/** Whether a page's `total` can be believed: it is at least the rows seen so far. */
export function knownTotal(response: RestResponse, start: number, rowCount: number): number | undefined {
    const { total } = response;
    return typeof total === 'number' && total >= start + rowCount && (total > 0 || rowCount === 0)
        ? total
        : undefined;
}

/** The pages of a list method from `start` on, one request each, until the last page. */
export async function* followPages<T>(
    fetchPage: (start: number) => Promise<RestResponse>,
    start: number,
): AsyncGenerator<T[]> {
    for (let at: number | undefined = start; at !== undefined;) {
        const response = await fetchPage(at);
        const rows = rowsOf<T>(response.result);
        yield rows;
        at = nextStart(response, at, rows.length);
    }
}
