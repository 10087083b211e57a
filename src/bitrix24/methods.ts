import { invalidArgument } from './errors';

/**
 * What the client knows about REST method names: which only read (retry after an ambiguous
 * failure is harmless), which writes may be repeated, and which may sit inside a `batch`.
 */

const READ_SUFFIX = /\.(get|list|fields|info|search)$/i;
const READ_METHODS = new Set([
    'profile',
    'user.admin',
    'user.current',
    'events',
    'methods',
    'scope',
    'server.time',
]);
/** Named like a read, but `event.offline.get` reserves or deletes rows (docs/bitrix24.md §1). */
const NOT_READS = new Set(['event.offline.get']);
/** Writes whose repetition changes nothing: clear/error/bind/unbind (docs/bitrix24.md §2, §3, §5). */
const REPEATABLE_WRITES = new Set([
    'event.offline.clear',
    'event.offline.error',
    'event.bind',
    'event.unbind',
]);
/** Methods that cannot run inside `batch` (docs/bitrix24.md §10). */
const NOT_IN_BATCH = new Set(['batch', 'upload', 'download']);

const METHOD_NAME = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/i;

export function normalizeMethod(method: unknown): string {
    if (typeof method !== 'string' || !METHOD_NAME.test(method.trim())) {
        throw invalidArgument(
            'method',
            'method-name',
            `"${String(method).slice(0, 60)}" is not a REST method name (like crm.deal.get)`,
            { method: String(method).slice(0, 60) },
        );
    }
    return method.trim().toLowerCase();
}

export function isReadMethod(method: string): boolean {
    const name = method.toLowerCase();
    if (NOT_READS.has(name)) return false;
    return READ_METHODS.has(name) || READ_SUFFIX.test(name);
}

/** A call that may be sent again after a failure that leaves unknown whether it ran. */
export function isRepeatable(method: string): boolean {
    return isReadMethod(method) || REPEATABLE_WRITES.has(method.toLowerCase());
}

/**
 * Every `event.*` method refuses a webhook with WRONG_AUTH_TYPE (docs/bitrix24.md §0.1, §5): only an
 * OAuth application's token may call them, so a webhook client need not ask.
 */
export function needsApplicationAuth(method: string): boolean {
    return method.toLowerCase().startsWith('event.');
}

export function canRunInBatch(method: string): boolean {
    return !NOT_IN_BATCH.has(method.toLowerCase());
}
