// Two encoders:
// - `bitrixJsonEncode`: byte-exact Bitrix `Main\Web\Json::encode` (json_encode with
//   JSON_HEX_TAG|AMP|APOS|QUOT), used for MESSAGE_ID = md5(name . "|" . json) (docs/bitrix24.md §1).
// - `encodeResponse`: the reply body; `phpArrayToJson` writes a PHP array as a JSON list when its
//   keys are 0..n-1 and as an object otherwise, so an empty one is `[]` (docs/bitrix24.md §10).
import { isList, isPhpArray, type PhpArray } from './values';

/** Characters after which JSON.stringify and PHP's json_encode (with the HEX flags) differ. */
const NEEDS_PHP_ESCAPING = /[<>&'/\u0080-\uffff]|\\"|\{\}/;

export function bitrixJsonEncode(value: unknown): string {
    // Fast path for the usual EVENT_DATA ({FIELDS:{ID:49}}): identical output, no walk.
    if (value !== null && typeof value === 'object' && !isPhpArray(value)) {
        const plain = JSON.stringify(value);
        if (!NEEDS_PHP_ESCAPING.test(plain)) return plain;
    }
    return encodeValue(value);
}

function encodeValue(value: unknown): string {
    if (value === null || value === undefined) return 'null';
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '0';
    if (typeof value === 'string') return encodeString(value);
    if (isPhpArray(value)) {
        if (isList(value)) return '[' + [...value.values()].map(encodeValue).join(',') + ']';
        return encodeEntries([...value.entries()]);
    }
    if (Array.isArray(value)) return '[' + value.map(encodeValue).join(',') + ']';
    if (typeof value === 'object') {
        // An empty PHP array is always written as [], whatever it stood for.
        const entries = Object.entries(value as Record<string, unknown>);
        return entries.length === 0 ? '[]' : encodeEntries(entries);
    }
    return 'null';
}

function encodeEntries(entries: [string, unknown][]): string {
    return '{' + entries.map(([key, item]) => encodeString(key) + ':' + encodeValue(item)).join(',') + '}';
}

const HEX_ESCAPES: Record<string, string> = {
    '<': '\\u003C',
    '>': '\\u003E',
    '&': '\\u0026',
    "'": '\\u0027',
    '"': '\\u0022',
    '/': '\\/',
    '\\': '\\\\',
    '\b': '\\b',
    '\f': '\\f',
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
};

function encodeString(text: string): string {
    let out = '"';
    for (const char of text) {
        const escape = HEX_ESCAPES[char];
        if (escape) {
            out += escape;
            continue;
        }
        const code = char.codePointAt(0) ?? 0;
        if (code < 0x20 || code > 0x7f) {
            // json_encode without JSON_UNESCAPED_UNICODE writes \uXXXX (surrogate pairs above BMP).
            for (let i = 0; i < char.length; i++) {
                out += '\\u' + char.charCodeAt(i).toString(16).padStart(4, '0');
            }
            continue;
        }
        out += char;
    }
    return out + '"';
}

/** A PHP array as json_encode writes it: a list when its keys are 0..n-1 (so empty is []). */
export function phpArrayToJson(array: Map<string, unknown>): unknown {
    if (array.size === 0 || isList(array as PhpArray)) return [...array.values()];
    return Object.fromEntries(array);
}

/** The reply body. Results are plain JSON data; the one method that builds PHP arrays (batch)
 * converts them with phpArrayToJson first, so the fast path of JSON.stringify applies. */
export function encodeResponse(value: unknown): string {
    return JSON.stringify(value);
}
