import { invalidArgument } from './errors';

/**
 * PHP bracket notation, the encoding Bitrix24 parses with `parse_str` (docs/bitrix24.md §9, §10):
 * `filter[>ID]=5&select[0]=ID`. Used for `batch` command strings and form bodies.
 */

export type QueryValue =
    string | number | boolean | null | undefined | QueryValue[] | { [key: string]: QueryValue };

/**
 * Encodes params as a PHP query string. Booleans become `1`/`0` (what PHP's `(int)`/`(bool)` read
 * the way they read JSON `true`/`false`), null becomes an empty value, undefined is left out.
 */
export function encodeQuery(params: Record<string, unknown>): string {
    const parts: string[] = [];
    for (const [key, value] of Object.entries(params)) {
        appendPairs(parts, encodeURIComponent(key), value);
    }
    return parts.join('&');
}

/**
 * Whether params survive a round trip through a query string. Empty arrays and empty objects
 * vanish in PHP's parse_str, so such params must go as a JSON body instead.
 */
export function isQueryEncodable(value: unknown): boolean {
    if (value === null || value === undefined) return true;
    if (Array.isArray(value)) return value.length > 0 && value.every(isQueryEncodable);
    if (typeof value === 'object') {
        const entries = Object.values(value);
        return entries.length > 0 && entries.every(isQueryEncodable);
    }
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * Whether a value means the same to the portal in a `batch` command (read with parse_str, where
 * every value is a string: `true` is "1", null is "") as in a JSON body, where it keeps its type
 * (docs/bitrix24.md §10). Booleans and null do not; a call holding one is never merged.
 */
export function keepsTypesInQuery(value: unknown): boolean {
    if (value === null || typeof value === 'boolean') return false;
    if (value === undefined) return true;
    if (Array.isArray(value)) return value.length > 0 && value.every(keepsTypesInQuery);
    if (typeof value === 'object') {
        const entries = Object.values(value);
        return entries.length > 0 && entries.every(keepsTypesInQuery);
    }
    return typeof value === 'string' || typeof value === 'number';
}

function appendPairs(parts: string[], key: string, value: unknown): void {
    if (value === undefined) return;
    if (value === null) {
        parts.push(`${key}=`);
    } else if (Array.isArray(value)) {
        value.forEach((item, index) => appendPairs(parts, `${key}[${index}]`, item));
    } else if (typeof value === 'object') {
        for (const [child, item] of Object.entries(value)) {
            appendPairs(parts, `${key}[${encodeURIComponent(child)}]`, item);
        }
    } else if (typeof value === 'boolean') {
        parts.push(`${key}=${value ? '1' : '0'}`);
    } else if (typeof value === 'string' || typeof value === 'number') {
        parts.push(`${key}=${encodeURIComponent(value)}`);
    }
}

export interface ParsedForm {
    [key: string]: string | ParsedForm;
}

export interface ParseFormOptions {
    /**
     * Refuse a body with a broken %-escape instead of keeping the text as it is (PHP's way).
     * For bodies from outside, where a broken escape means the sender is not the portal.
     */
    strict?: boolean;
}

/**
 * Decodes a form body the way PHP's parse_str does for the shapes Bitrix24 sends
 * (`auth[access_token]=...&data[VERSION]=1`). `[]` appends with the next numeric key.
 * A `__proto__` key is dropped: the body comes from outside, and assigning it would change
 * Object.prototype for the whole runtime.
 */
export function parseForm(body: string, options: ParseFormOptions = {}): ParsedForm {
    const out: ParsedForm = {};
    for (const pair of body.split('&')) {
        if (!pair) continue;
        const eq = pair.indexOf('=');
        const rawKey = decode(eq < 0 ? pair : pair.slice(0, eq), options);
        const value = eq < 0 ? '' : decode(pair.slice(eq + 1), options);
        const path = splitKey(rawKey);
        if (path && !path.includes('__proto__')) assign(out, path, value);
    }
    return out;
}

function decode(text: string, options: ParseFormOptions): string {
    try {
        return decodeURIComponent(text.replace(/\+/g, ' '));
    } catch {
        if (options.strict) {
            throw invalidArgument(
                'body',
                'form-encoding',
                'the body is not form-encoded as Bitrix24 sends it: it has a broken %-escape',
            );
        }
        return text;
    }
}

function splitKey(key: string): string[] | undefined {
    const open = key.indexOf('[');
    if (open <= 0) return key ? [key] : undefined;
    const path = [key.slice(0, open)];
    const re = /\[([^\]]*)\]/g;
    re.lastIndex = open;
    for (let m = re.exec(key); m; m = re.exec(key)) path.push(m[1]);
    return path;
}

function assign(target: ParsedForm, path: string[], value: string): void {
    let node = target;
    for (let i = 0; i < path.length; i++) {
        let key = path[i];
        if (key === '') key = String(Object.keys(node).filter((k) => /^\d+$/.test(k)).length);
        if (i === path.length - 1) {
            node[key] = value;
            return;
        }
        const next = node[key];
        if (typeof next !== 'object') node[key] = {};
        node = node[key] as ParsedForm;
    }
}
