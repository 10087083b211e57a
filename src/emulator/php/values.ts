// Request parameters as PHP sees them. Bitrix runs on PHP, so every rule about "how a value
// arriving as a string is read" (intval, (bool), isset, array_change_key_case) is PHP's.
// A PHP array is an ordered map; we keep it as a Map so that key order survives (batch runs its
// commands in key order, docs/bitrix24.md §10) and lists and maps stay one type, as in PHP.

export type PhpScalar = string | number | boolean | null;
export type PhpArray = Map<string, PhpValue>;
export type PhpValue = PhpScalar | PhpArray;

export function isPhpArray(value: unknown): value is PhpArray {
    return value instanceof Map;
}

const LEADING_NUMBER = /^[ \t\n\r\v\f]*([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?)/;

/** PHP `intval()`: leading numeric prefix of a string, 0 otherwise; arrays give 0 or 1. */
export function intval(value: PhpValue | undefined): number {
    if (value === undefined || value === null || value === false) return 0;
    if (value === true) return 1;
    if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : 0;
    if (isPhpArray(value)) return value.size > 0 ? 1 : 0;
    const match = LEADING_NUMBER.exec(value);
    if (!match) return 0;
    const parsed = Number(match[1]);
    return Number.isFinite(parsed) ? Math.trunc(parsed) : 0;
}

/** PHP `(bool)`: "", "0", 0, null and empty arrays are false; "false" is true. */
export function boolval(value: PhpValue | undefined): boolean {
    if (value === undefined || value === null) return false;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'number') return value !== 0;
    if (isPhpArray(value)) return value.size > 0;
    return value !== '' && value !== '0';
}

/** PHP string conversion: true is "1", false and null are "", arrays are "Array". */
export function strval(value: PhpValue | undefined): string {
    if (value === undefined || value === null || value === false) return '';
    if (value === true) return '1';
    if (typeof value === 'number') return String(value);
    if (isPhpArray(value)) return 'Array';
    return value;
}

/** PHP `isset($array[$key])`: present and not null. */
export function isset(array: PhpArray, key: string): boolean {
    const value = array.get(key);
    return value !== undefined && value !== null;
}

/** PHP `array_change_key_case`: on a collision the first position keeps the last value. */
export function changeKeyCase(array: PhpArray, to: 'lower' | 'upper'): PhpArray {
    const result: PhpArray = new Map();
    for (const [key, value] of array) {
        result.set(to === 'lower' ? key.toLowerCase() : key.toUpperCase(), value);
    }
    return result;
}

export function phpList(values: readonly PhpValue[]): PhpArray {
    const result: PhpArray = new Map();
    values.forEach((value, index) => result.set(String(index), value));
    return result;
}

const INTEGER_KEY = /^(0|-?[1-9]\d*)$/;

/** The index PHP gives to `$array[] = ...`: one above the largest integer key. */
export function nextIndex(array: PhpArray): string {
    let max = -1;
    for (const key of array.keys()) {
        if (INTEGER_KEY.test(key)) max = Math.max(max, Number(key));
    }
    return String(max + 1);
}

/** True when PHP's json_encode would write this array as a JSON list: keys 0..n-1 in order. */
export function isList(array: PhpArray): boolean {
    let expected = 0;
    for (const key of array.keys()) {
        if (key !== String(expected)) return false;
        expected++;
    }
    return true;
}

/** Converts a PHP value into plain JSON data (lists become arrays, other arrays objects). */
export function toPlain(value: PhpValue | undefined): unknown {
    if (!isPhpArray(value)) return value;
    if (isList(value)) return [...value.values()].map(toPlain);
    const result: Record<string, unknown> = {};
    for (const [key, item] of value) result[key] = toPlain(item);
    return result;
}

/** Converts plain JSON data (e.g. from the control API or our own code) into a PHP value. */
export function fromPlain(value: unknown): PhpValue {
    if (value === undefined || value === null) return null;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
    if (value instanceof Map) return value as PhpArray;
    if (Array.isArray(value)) return phpList(value.map(fromPlain));
    if (typeof value === 'object') {
        const result: PhpArray = new Map();
        for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
            result.set(key, fromPlain(item));
        }
        return result;
    }
    return null;
}

/** Any stored field value as text, for sorting and for the legacy string answers. */
export function textOf(value: unknown): string {
    if (value === null || value === undefined) return '';
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
        return String(value);
    return JSON.stringify(value) ?? '';
}
