// PHP `http_build_query`: the form encoding Bitrix uses for the requests it sends (event
// handlers, the installation callback), with bracket notation for nested arrays (docs/bitrix24.md §6).

export type FormValue = string | number | boolean | null | undefined | FormObject | FormValue[];
export interface FormObject {
    [key: string]: FormValue;
}

export function buildQuery(data: FormObject): string {
    const parts: string[] = [];
    append(parts, '', data);
    return parts.join('&');
}

function append(parts: string[], prefix: string, value: FormValue): void {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
        value.forEach((item, index) => append(parts, `${prefix}[${index}]`, item));
        return;
    }
    if (typeof value === 'object') {
        for (const [key, item] of Object.entries(value)) {
            append(parts, prefix === '' ? key : `${prefix}[${key}]`, item);
        }
        return;
    }
    const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
    parts.push(`${encode(prefix)}=${encode(text)}`);
}

/** urlencode(): spaces as '+', like PHP's PHP_QUERY_RFC1738 default. */
function encode(text: string): string {
    return encodeURIComponent(text)
        .replace(/%20/g, '+')
        .replace(/[!'()*~]/g, (char) => '%' + char.charCodeAt(0).toString(16).toUpperCase());
}
