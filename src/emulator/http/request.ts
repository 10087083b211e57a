// Reading a request the way CRestUtil::getRequestData does: the query string, then the body
// (form fields, a JSON document, or a raw form string) replacing top-level keys.
import type { IncomingMessage } from 'node:http';

import { decodeJson } from '../php/json-decode';
import { parseStr } from '../php/parse-str';
import { isPhpArray, type PhpArray, type PhpValue } from '../php/values';

const MAX_BODY_BYTES = 64 * 1024 * 1024;

export function readBody(request: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        request.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) {
                reject(new Error('request body too large'));
                request.destroy();
                return;
            }
            chunks.push(chunk);
        });
        request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        request.on('error', reject);
    });
}

export function requestParams(request: IncomingMessage, url: URL, body: string): PhpArray {
    const query = parseStr(url.search.replace(/^\?/, ''));
    const raw = body.trim();
    if (raw === '') return query;
    const contentType = (request.headers['content-type'] ?? '').replace(/;.*$/, '').trim().toLowerCase();
    let posted: PhpArray;
    if (contentType === 'application/json') {
        // Invalid JSON is read as no parameters at all (per source).
        const decoded = decodeJson(raw);
        posted = isPhpArray(decoded) ? decoded : new Map<string, PhpValue>();
    } else {
        posted = parseStr(raw);
    }
    for (const [key, value] of posted) query.set(key, value);
    return query;
}

export function headerValue(request: IncomingMessage, name: string): string | undefined {
    const value = request.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
}
