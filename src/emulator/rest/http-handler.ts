// The portal's /rest/ endpoint: the rate limit, injected faults, request parsing, then the call.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { headerValue, readBody, requestParams } from '../http/request';
import { sendJson } from '../http/response';
import { encodeResponse } from '../php/json-encode';
import type { Portal } from '../portal';
import type { WebhookPath } from './auth';
import { methodNotFound, portalDeleted, queryLimitExceeded, RestError } from './errors';
import type { RestProcessor } from './process';

interface Route {
    method: string;
    webhook?: WebhookPath;
}

/**
 * `/rest/<method>[.json]` or `/rest/<user>/<secret>/<method>[.json]`. Repeated slashes count as
 * one, as the portal's web server merges them: the official JS SDK asks for `/rest//<method>`.
 */
function route(pathname: string): Route | null {
    let parts: string[];
    try {
        parts = pathname
            .replace(/\/{2,}/g, '/')
            .replace(/^\/rest\//, '')
            .split('/')
            .map(decodeURIComponent);
    } catch {
        return null; // a malformed %-sequence: no such method
    }
    const last = (parts[parts.length - 1] ?? '').replace(/\.json$/i, '');
    if (parts.length === 1 && last !== '') return { method: last };
    if (parts.length === 3 && last !== '')
        return { method: last, webhook: { user: parts[0], secret: parts[1] } };
    return null;
}

export class RestHttp {
    constructor(
        private readonly portal: Portal,
        private readonly processor: RestProcessor,
    ) {}

    async handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
        const { portal } = this;
        portal.counters.requests++;
        portal.runAgentsIfDue();
        if (portal.deleted) {
            request.resume();
            this.sendError(response, portalDeleted());
            return;
        }

        // The portal-wide leaky bucket comes first: a refused request is not executed (docs/bitrix24.md §8).
        if (!portal.bucket.tryTake(portal.clock.nowMs())) {
            portal.counters.status503++;
            this.sendError(response, queryLimitExceeded());
            return;
        }
        const fault = portal.faults.before();
        if (fault === 'burst503') {
            portal.counters.status503++;
            this.sendError(response, queryLimitExceeded());
            return;
        }
        if (fault === 'drop') {
            portal.counters.droppedConnections++;
            request.socket.destroy();
            return;
        }
        if (fault === 'error') {
            portal.counters.injected500++;
            this.sendError(response, new RestError('INTERNAL_SERVER_ERROR', 'Internal server error', 500));
            return;
        }

        const body = await readBody(request);
        const busySince = performance.now();
        const target = route(url.pathname);
        if (!target) {
            this.sendError(response, methodNotFound());
            return;
        }
        const query = requestParams(request, url, body);
        portal.counters.countMethod(target.method.toLowerCase());

        const scope = portal.newScope({ clientId: null, connector: '', userId: 0 });
        const reply = this.processor.call(
            {
                method: target.method,
                query,
                authorization: headerValue(request, 'authorization'),
                webhook: target.webhook,
            },
            scope,
        );
        portal.finishScope(scope);
        const encoded = encodeResponse(reply.body);
        portal.counters.restBusyMs += performance.now() - busySince;

        if (portal.faults.loseReply()) {
            portal.counters.lostReplies++;
            request.socket.destroy();
            return;
        }
        const delay = portal.faults.delayMs();
        if (delay > 0) {
            portal.counters.slowedAnswers++;
            await portal.timers.sleep(delay);
        }
        const headers: Record<string, string> = {
            'Access-Control-Allow-Origin': '*',
            'X-Bitrix-Rest-Time': reply.processing.toFixed(10),
        };
        if (reply.clientId) headers['X-Bitrix-Rest-Application'] = reply.clientId;
        sendJson(response, reply.status, encoded, headers);
    }

    private sendError(response: ServerResponse, error: RestError): void {
        sendJson(response, error.status, encodeResponse(error.body()));
    }
}
