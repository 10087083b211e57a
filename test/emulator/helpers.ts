// Raw-HTTP helpers for the emulator conformance suite. Nothing here goes through src/bitrix24:
// the emulator is checked against the Bitrix24 reference, not against our client.
import assert from 'node:assert/strict';
import http from 'node:http';

import { listenLocally } from '../../dist/demo/local-server';
import {
    startEmulator,
    startEmulatorFarm,
    type Emulator,
    type EmulatorFarm,
    type EmulatorOptions,
    type FarmOptions,
} from '../../dist/emulator';

export { sleep } from '../../dist/demo/wait';

/** The decoded JSON body of a reply, typed loosely: tests assert on its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reply bodies are arbitrary JSON checked field by field
export type Body = any;

export interface Reply {
    status: number;
    body: Body;
    headers: Headers;
}

/** Runs `test` against a fresh emulator and always stops it. */
export async function withEmulator(
    options: EmulatorOptions,
    test: (emulator: Emulator) => Promise<void>,
): Promise<void> {
    const emulator = await startEmulator(options);
    try {
        await test(emulator);
    } finally {
        await emulator.stop();
    }
}

/** Asserts a REST error reply: its HTTP status and exactly this body (`argument` only when given). */
export function assertRestError(
    reply: Reply,
    status: number,
    error: string,
    description: string,
    argument?: string,
): void {
    assert.equal(reply.status, status);
    assert.deepEqual(reply.body, {
        error,
        error_description: description,
        ...(argument === undefined ? {} : { argument }),
    });
}

/** A call the emulator must refuse, as a row of a table. */
export interface Refusal {
    /** What is wrong, as the test title says it ("an unknown event_type"). */
    what: string;
    params: Record<string, unknown>;
    status: number;
    error: string;
    description: string;
    argument?: string;
}

/** The answer part of a Refusal for Bitrix24's ArgumentException: 400 ERROR_ARGUMENT. */
export function argumentError(description: string, argument?: string) {
    return { status: 400, error: 'ERROR_ARGUMENT', description, argument };
}

/** One `it` per row: `method` called with the row's params on a fresh emulator answers the row's error. */
export function itRefuses(method: string, refusals: Refusal[]): void {
    for (const row of refusals) {
        it(`refuses ${row.what} with ${row.error} "${row.description}"`, async () => {
            await withEmulator({}, async (emulator) => {
                const reply = await rest(emulator, method, row.params);
                assertRestError(reply, row.status, row.error, row.description, row.argument);
            });
        });
    }
}

async function reply(response: Response): Promise<Reply> {
    const text = await response.text();
    let body: unknown = text;
    try {
        body = JSON.parse(text);
    } catch {
        // not JSON: keep the text
    }
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- Body is deliberately loose JSON, see above
    return { status: response.status, body: body as Body, headers: response.headers };
}

/** POST a JSON body to <base><method>. */
export async function postJson(
    base: string,
    method: string,
    params: Record<string, unknown> = {},
    headers: Record<string, string> = {},
): Promise<Reply> {
    return reply(
        await fetch(`${base}${method}`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', ...headers },
            body: JSON.stringify(params),
        }),
    );
}

/** POST a form body (already encoded, PHP bracket notation) to <base><method>. */
export async function postForm(base: string, method: string, form: string): Promise<Reply> {
    return reply(
        await fetch(`${base}${method}`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: form,
        }),
    );
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
    return reply(await fetch(url, { headers, redirect: 'manual' }));
}

/** An OAuth REST call with the app's token in the JSON body. */
export function rest(
    emulator: Emulator,
    method: string,
    params: Record<string, unknown> = {},
    token = emulator.app.accessToken,
): Promise<Reply> {
    return postJson(`${emulator.portalUrl}/rest/`, method, { ...params, auth: token });
}

/** The app's refresh of `refreshToken` at a token server, a form POST as Bitrix24 takes it (docs/bitrix24.md §7). */
export function refreshAppTokens(
    emulator: Emulator,
    refreshToken = emulator.app.refreshToken,
    tokenServer = emulator.oauthServer,
): Promise<Reply> {
    const form = new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: emulator.app.clientId,
        client_secret: emulator.app.clientSecret,
        refresh_token: refreshToken,
    });
    return postForm(`${tokenServer}/oauth/`, 'token/', form.toString());
}

/** A call through the preinstalled administrator webhook. */
export function hook(
    emulator: Emulator,
    method: string,
    params: Record<string, unknown> = {},
): Promise<Reply> {
    return postJson(emulator.webhookUrl, method, params);
}

export async function bindOffline(
    emulator: Emulator,
    event: string,
    extra: Record<string, unknown> = {},
    token?: string,
): Promise<void> {
    const result = await rest(emulator, 'event.bind', { event, event_type: 'offline', ...extra }, token);
    if (result.status !== 200) throw new Error(`event.bind failed: ${JSON.stringify(result.body)}`);
}

/** Binds ONCRMDEALADD offline and adds `count` deals as user 1: `count` rows in the queue. */
export async function queueDealAdds(emulator: Emulator, count: number): Promise<void> {
    await bindOffline(emulator, 'ONCRMDEALADD');
    for (let i = 0; i < count; i++) userDealChange(emulator, 'add');
}

/** The fields of a row that event.offline.get returns, in their order (docs/bitrix24.md §1). */
export const OFFLINE_GET_FIELDS = [
    'ID',
    'TIMESTAMP_X',
    'EVENT_NAME',
    'EVENT_DATA',
    'EVENT_ADDITIONAL',
    'MESSAGE_ID',
];

/** A deal change made by user 1 in the portal UI (the control API), which always raises rows. */
export function userDealChange(
    emulator: Emulator,
    action: 'add' | 'update' | 'delete',
    id?: number,
    fields?: Record<string, unknown>,
) {
    return emulator.control.userChange({ entityTypeId: 2, action, id, fields });
}

export interface Captured {
    /** Date.now() when the request had arrived in full. */
    at: number;
    path: string;
    body: string;
    form: URLSearchParams;
}

/** A local HTTP server that records the POSTs the emulator sends (event handlers, callbacks). */
export class Sink {
    readonly requests: Captured[] = [];
    private readonly server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            this.requests.push({
                at: Date.now(),
                path: request.url ?? '/',
                body,
                form: new URLSearchParams(body),
            });
            response.writeHead(200, { 'Content-Type': 'text/plain' });
            response.end('ok');
            for (const waiter of this.waiters.splice(0)) waiter();
        });
    });
    private readonly waiters: (() => void)[] = [];
    url = '';

    async start(): Promise<this> {
        this.url = (await listenLocally(this.server)).url;
        return this;
    }

    /** Waits until at least `count` requests arrived (or `timeoutMs` passed). */
    async waitFor(count: number, timeoutMs = 2000): Promise<Captured[]> {
        const deadline = Date.now() + timeoutMs;
        while (this.requests.length < count && Date.now() < deadline) {
            await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, 20);
                this.waiters.push(() => {
                    clearTimeout(timer);
                    resolve();
                });
            });
        }
        return this.requests;
    }

    stop(): Promise<void> {
        return new Promise((resolve) => {
            this.server.close(() => resolve());
            this.server.closeAllConnections();
        });
    }
}

export async function withSink(test: (sink: Sink) => Promise<void>): Promise<void> {
    const sink = await new Sink().start();
    try {
        await test(sink);
    } finally {
        await sink.stop();
    }
}

/** Runs `test` against a fresh farm of portals and always stops it. */
export async function withFarm(
    options: FarmOptions,
    test: (farm: EmulatorFarm) => Promise<void>,
): Promise<void> {
    const farm = await startEmulatorFarm(options);
    try {
        await test(farm);
    } finally {
        await farm.stop();
    }
}
