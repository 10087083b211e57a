import http from 'node:http';

import { parseForm } from '../../dist/bitrix24/internal';
import { listenLocally, type LocalServer } from '../../dist/demo/local-server';

/**
 * A small stand-in for a Bitrix24 portal and its OAuth server, for tests of the client alone
 * (the full emulator lives in src/emulator). Each test scripts the replies it needs.
 */
export interface FakeRequest {
    /** REST method (`crm.deal.get`), or `oauth/token`. */
    method: string;
    path: string;
    body: Record<string, unknown>;
    at: number;
}

/**
 * A scripted answer; `headers` add to or replace the JSON content type. 'drop' resets the
 * connection. `raw` writes the reply itself, for hostile servers (trickles, bombs, cut replies).
 */
export type FakeReply =
    | { status?: number; body: unknown; headers?: Record<string, string> }
    | { raw: (res: http.ServerResponse) => void }
    | 'drop';
export type FakeHandler = (request: FakeRequest) => FakeReply | Promise<FakeReply>;

export class FakePortal {
    readonly requests: FakeRequest[] = [];
    private readonly handlers = new Map<string, FakeHandler>();
    private readonly server = http.createServer((req, res) => void this.serve(req, res));
    private local: LocalServer | undefined;
    url = '';

    /** The portal serves its own OAuth server too: pass the fake portal where a PortalTarget goes. */
    get portalUrl(): string {
        return this.url;
    }

    get oauthServer(): string {
        return this.url;
    }

    on(method: string, handler: FakeHandler): this {
        this.handlers.set(method, handler);
        return this;
    }

    /**
     * Answers `batch` by running each command through the handlers, the way the portal runs
     * sub-calls (docs/bitrix24.md §10).
     */
    withBatch(): this {
        return this.on('batch', async (req) => {
            const cmd = (req.body.cmd ?? {}) as Record<string, string>;
            const result: Record<string, unknown> = {};
            const errors: Record<string, unknown> = {};
            const totals: Record<string, unknown> = {};
            const nexts: Record<string, unknown> = {};
            for (const [key, command] of Object.entries(cmd)) {
                const [method, query = ''] = command.split('?');
                const handler = this.handlers.get(method);
                const reply = handler
                    ? await handler({ method, path: '', body: parseForm(query), at: Date.now() })
                    : 'drop';
                if (reply === 'drop' || 'raw' in reply)
                    errors[key] = { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' };
                else if ((reply.status ?? 200) >= 300) errors[key] = reply.body;
                else {
                    const body = reply.body as { result: unknown; total?: number; next?: number };
                    result[key] = body.result;
                    if (body.total !== undefined) totals[key] = body.total;
                    if (body.next !== undefined) nexts[key] = body.next;
                }
            }
            const section = (values: Record<string, unknown>) => (Object.keys(values).length ? values : []);
            return ok({
                result,
                result_error: section(errors),
                result_total: section(totals),
                result_next: section(nexts),
                result_time: [],
            });
        });
    }

    calls(method: string): FakeRequest[] {
        return this.requests.filter((r) => r.method === method);
    }

    async start(): Promise<this> {
        this.local = await listenLocally(this.server);
        this.url = this.local.url;
        return this;
    }

    async stop(): Promise<void> {
        await this.local?.close();
    }

    private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const raw = Buffer.concat(chunks).toString('utf8');
        const path = (req.url ?? '/').split('?')[0];
        const body = (req.headers['content-type'] ?? '').includes('json')
            ? (JSON.parse(raw || '{}') as Record<string, unknown>)
            : parseForm(raw);
        const method = path.startsWith('/oauth/token')
            ? 'oauth/token'
            : path.replace(/^\/rest\/(\d+\/[^/]+\/)?/, '').replace(/\.json$/, '');
        const request: FakeRequest = { method, path, body, at: Date.now() };
        this.requests.push(request);
        const handler = this.handlers.get(method);
        const reply: FakeReply = handler
            ? await handler(request)
            : {
                  status: 404,
                  body: { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' },
              };
        if (reply === 'drop') {
            req.socket.destroy();
            return;
        }
        if ('raw' in reply) {
            reply.raw(res);
            return;
        }
        res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json', ...reply.headers });
        res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
    }
}

export const ok = (result: unknown, extra: Record<string, unknown> = {}): FakeReply => ({
    body: { result, time: { start: 0, finish: 0, duration: 0, processing: 0 }, ...extra },
});

export const fail = (status: number, error: string, description = ''): FakeReply => ({
    status,
    body: { error, error_description: description },
});
