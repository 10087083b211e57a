// PHP's `parse_str` (and the $_GET/$_POST decoder it shares): bracket notation builds nested
// arrays, `[]` appends, spaces and dots in the top-level name become underscores, the last
// duplicate wins. Batch commands are parsed with it too (docs/bitrix24.md §10).
import { isPhpArray, nextIndex, type PhpArray } from './values';

export function urlDecode(text: string): string {
    const spaced = text.replace(/\+/g, ' ');
    try {
        return decodeURIComponent(spaced);
    } catch {
        // PHP leaves broken %-sequences as they are; decode the valid ones one by one.
        return spaced.replace(/%[0-9a-fA-F]{2}/g, (hex) => String.fromCharCode(parseInt(hex.slice(1), 16)));
    }
}

export function parseStr(query: string, into: PhpArray = new Map()): PhpArray {
    if (query === '') return into;
    for (const pair of query.split('&')) {
        if (pair === '') continue;
        const eq = pair.indexOf('=');
        const rawName = eq < 0 ? pair : pair.slice(0, eq);
        const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
        registerVariable(into, urlDecode(rawName), urlDecode(rawValue));
    }
    return into;
}

/** Splits `a.b[x][][y]` into the base name `a_b` and the index path `['x', null, 'y']`. */
function splitName(name: string): { base: string; path: (string | null)[] } | null {
    const trimmed = name.replace(/^ +/, '');
    const open = trimmed.indexOf('[');
    const baseRaw = open < 0 ? trimmed : trimmed.slice(0, open);
    let base = baseRaw.replace(/[ .]/g, '_');
    if (base === '') return null;
    const path: (string | null)[] = [];
    if (open < 0) return { base, path };

    let pos = open;
    while (pos < trimmed.length && trimmed[pos] === '[') {
        const close = trimmed.indexOf(']', pos + 1);
        if (close < 0) {
            if (path.length === 0) {
                // Not an index after all: PHP keeps it in the name, with '[' ' ' '.' as '_'.
                base = base + '_' + trimmed.slice(pos + 1).replace(/[ .[]/g, '_');
            }
            break;
        }
        const index = trimmed.slice(pos + 1, close);
        path.push(index === '' ? null : index);
        pos = close + 1;
    }
    return { base, path };
}

function registerVariable(target: PhpArray, name: string, value: string): void {
    const parsed = splitName(name);
    if (!parsed) return;
    const keys = [parsed.base, ...parsed.path];
    let container = target;
    for (let i = 0; i < keys.length - 1; i++) {
        const key = keys[i] ?? nextIndex(container);
        let child = container.get(key);
        if (!isPhpArray(child)) {
            child = new Map();
            container.set(key, child);
        }
        container = child;
    }
    const last = keys[keys.length - 1];
    container.set(last ?? nextIndex(container), value);
}
