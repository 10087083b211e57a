// Two encoders:
// - `bitrixJsonEncode`: byte-exact Bitrix `Main\Web\Json::encode` (json_encode with
//   JSON_HEX_TAG|AMP|APOS|QUOT), used for MESSAGE_ID = md5(name . "|" . json) (reference §1).
// - `encodeResponse`: the reply body. PHP arrays (Maps) become a JSON list when their keys are
//   0..n-1, an object otherwise; an empty one is `[]` (batch's empty sections, reference §10).
import { isList, isPhpArray } from './values';

export function bitrixJsonEncode(value: unknown): string {
    if (value === null || value === undefined) return 'null';
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '0';
    if (typeof value === 'string') return encodeString(value);
    if (isPhpArray(value)) {
        if (isList(value)) return '[' + [...value.values()].map(bitrixJsonEncode).join(',') + ']';
        return encodeEntries([...value.entries()]);
    }
    if (Array.isArray(value)) return '[' + value.map(bitrixJsonEncode).join(',') + ']';
    if (typeof value === 'object') {
        // An empty PHP array is always written as [], whatever it stood for.
        const entries = Object.entries(value as Record<string, unknown>);
        return entries.length === 0 ? '[]' : encodeEntries(entries);
    }
    return 'null';
}

function encodeEntries(entries: [string, unknown][]): string {
    return (
        '{' + entries.map(([key, item]) => encodeString(key) + ':' + bitrixJsonEncode(item)).join(',') + '}'
    );
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
        if (code < 0x20 || code > 0x7e) {
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

export function encodeResponse(value: unknown): string {
    return JSON.stringify(value, (_key, item: unknown) => {
        if (!isPhpArray(item)) return item;
        if (isList(item)) return [...item.values()];
        return Object.fromEntries(item);
    });
}
