// Writing replies.
import type { ServerResponse } from 'node:http';

export function sendJson(
    response: ServerResponse,
    status: number,
    body: string,
    headers: Record<string, string> = {},
): void {
    if (response.writableEnded || response.destroyed) return;
    response.writeHead(status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        ...headers,
    });
    response.end(body);
}

export function sendText(response: ServerResponse, status: number, text: string): void {
    if (response.writableEnded || response.destroyed) return;
    response.writeHead(status, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Length': Buffer.byteLength(text),
    });
    response.end(text);
}

export function redirect(response: ServerResponse, location: string): void {
    response.writeHead(302, { Location: location, 'Content-Length': 0 });
    response.end();
}
