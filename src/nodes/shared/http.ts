import type { IncomingMessage } from 'node:http';

import type { Router } from 'express';
import type { NodeAPI } from 'node-red';

import { runtimeSettings } from './runtime-settings';

/** Whether the runtime serves node routes at all: `httpNodeRoot: false` turns them off. */
export function servesHttpNodes(RED: NodeAPI): boolean {
    return runtimeSettings(RED).httpNodeRoot !== false;
}

/** Reads a request body up to `limit` bytes; resolves undefined when it is larger. */
export async function readBody(
    req: IncomingMessage & { body?: unknown },
    limit: number,
): Promise<string | undefined> {
    // A body parser of the runtime (httpNodeMiddleware) may have read it already.
    if (typeof req.body === 'string') return req.body.length <= limit ? req.body : undefined;
    if (req.body && typeof req.body === 'object' && Object.keys(req.body).length > 0) {
        const text = new URLSearchParams(flatten(req.body as Record<string, unknown>)).toString();
        return text.length <= limit ? text : undefined;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > limit) return undefined;
        chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
}

/** Nested objects back to PHP bracket pairs, for a body some middleware already parsed. */
function flatten(value: Record<string, unknown>, prefix = ''): [string, string][] {
    return Object.entries(value).flatMap(([key, item]) => {
        const name = prefix ? `${prefix}[${key}]` : key;
        return item && typeof item === 'object'
            ? flatten(item as Record<string, unknown>, name)
            : [[name, typeof item === 'string' ? item : JSON.stringify(item)] as [string, string]];
    });
}

interface Layer {
    route?: { path?: string; methods?: Record<string, boolean>; stack?: { handle?: unknown }[] };
}

/**
 * Removes the route of this handler again, as core's http-in node does on close (docs/node-red.md
 * §4.2), but only ours: another node serving the same path keeps its route.
 */
export function removeRoute(app: Router, path: string, method: string, handler: unknown): void {
    const stack = (app as unknown as { _router?: { stack: Layer[] }; stack?: Layer[] })._router?.stack;
    if (!stack) return;
    for (let i = stack.length - 1; i >= 0; i--) {
        const route = stack[i].route;
        if (
            route?.path === path &&
            route.methods?.[method.toLowerCase()] &&
            route.stack?.some((layer) => layer.handle === handler)
        )
            stack.splice(i, 1);
    }
}
