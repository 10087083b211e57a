import http from 'node:http';

import { startEmulator, type Emulator } from '../../dist/emulator';
import { DEAL_EVENTS, startServedBench, type ServedBench } from '../helpers/emulator-flow';
import type { captureRed } from '../helpers/red';

/**
 * What the security specs share: raw HTTP requests (a forger sends bytes, not well-formed
 * forms) and the portal state that a refused request must leave exactly as it was.
 */

export interface RawRequest {
    method?: string;
    body?: string;
    contentType?: string;
    /** Sends the body in chunks without a Content-Length, as a client streaming a body does. */
    chunked?: boolean;
}

export interface RawResponse {
    status: number;
    text: string;
}

export function send(url: string, request: RawRequest = {}): Promise<RawResponse> {
    const body = request.body ?? '';
    const headers: http.OutgoingHttpHeaders = {};
    if (request.contentType) headers['Content-Type'] = request.contentType;
    if (!request.chunked && request.method !== 'GET') headers['Content-Length'] = Buffer.byteLength(body);
    return new Promise((resolve, reject) => {
        const req = http.request(url, { method: request.method ?? 'POST', headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () =>
                resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
            );
        });
        // A server may answer (413) and close before the whole body is written.
        req.on('error', (err: NodeJS.ErrnoException) =>
            err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err),
        );
        if (request.chunked) {
            for (let i = 0; i < body.length; i += 4096) req.write(body.slice(i, i + 4096));
        } else if (request.method !== 'GET') {
            req.write(body);
        }
        req.end();
    });
}

export const FORM = 'application/x-www-form-urlencoded';

/** Form-encodes fields as PHP posts them (`auth[application_token]=...`), brackets left readable. */
export function form(fields: Record<string, string>): string {
    return Object.entries(fields)
        .map(
            ([key, value]) =>
                `${encodeURIComponent(key).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${encodeURIComponent(value)}`,
        )
        .join('&');
}

/** Everything a request could have changed in the portal: requests, tokens, rows, bindings. */
export function portalState(emulator: Emulator) {
    const counters = emulator.control.counters();
    return {
        requests: counters.requests,
        requestsByMethod: counters.requestsByMethod,
        tokensIssued: counters.tokensIssued,
        refreshes: counters.refreshes,
        codeExchanges: counters.codeExchanges,
        rows: emulator.control.queueRows(),
        bindings: emulator.control.bindings(),
    };
}

/** True when a key of a hostile body reached Object.prototype. */
export function prototypePolluted(...keys: string[]): boolean {
    const probe: Record<string, unknown> = {};
    return keys.some((key) => key in probe);
}

/** What a hostile-request spec works on; every field is replaced before each test. */
export interface HostileBench {
    bench: ServedBench;
    emulator: Emulator;
    /** Another portal, for requests that claim to come from it. */
    otherPortal: Emulator;
}

/**
 * Registers the hooks of a spec that sends hostile requests to a served bench: another portal for
 * the whole describe; before each test a fresh bench binding the deal events, then `prepare`; after
 * each test the bench stopped and `pollutionKeys` removed from Object.prototype, in case a request
 * got them there.
 */
export function useHostileBench(
    red: ReturnType<typeof captureRed>,
    pollutionKeys: readonly string[],
    prepare: (hostile: HostileBench) => void | Promise<void>,
): HostileBench {
    // Filled in by the hooks below, before any test reads it.
    const hostile = {} as HostileBench;
    before(async () => {
        hostile.otherPortal = await startEmulator();
    });
    after(async () => {
        await hostile.otherPortal.stop();
    });
    beforeEach(async () => {
        hostile.bench = await startServedBench(red, DEAL_EVENTS);
        hostile.emulator = hostile.bench.emulator;
        await prepare(hostile);
    });
    afterEach(async () => {
        for (const key of pollutionKeys) delete (Object.prototype as Record<string, unknown>)[key];
        await hostile.bench.stop();
    });
    return hostile;
}
