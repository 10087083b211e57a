import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

import axios, { type AxiosInstance } from 'axios';

import type { RawReply } from './envelope';
import { Bitrix24Error, LocalCode } from './errors';
import { readCappedBody, ReplyCutError } from './reply-body';

export interface PostRequest {
    url: string;
    body: string;
    contentType: 'application/json' | 'application/x-www-form-urlencoded';
    signal?: AbortSignal;
    /** Unix ms by which the whole reply must have arrived; the transport's own deadline applies too. */
    deadline?: number;
}

export interface TransportLimits {
    /** Longest silence on the socket, in ms. */
    idleMs: number;
    /** Longest time a request may take, from sending to the last byte of the reply, in ms. */
    requestMs: number;
    /** Largest reply accepted, in bytes, both as it comes over the wire and once decompressed. */
    maxReplyBytes: number;
}

/** A 302 (or 301, 307, 308) and where it points; followed only by the caller's choice. */
export interface Redirect {
    status: number;
    location: string;
}

/** Network failures where the request surely never reached the portal: resending is safe. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_INVALID_URL']);

/**
 * Posts a body and returns the status and raw text, whatever they are; parsing and the
 * meaning of statuses belong to envelope.ts. Keeps connections alive: a drain makes many calls.
 * Its own axios instance, so no interceptor of ours leaks into other packages. Never follows a
 * redirect: the body carries the token, which must not go to a host nobody confirmed.
 */
export class HttpTransport {
    private readonly axios: AxiosInstance;
    private readonly agents = {
        http: new http.Agent({ keepAlive: true, maxSockets: 16 }),
        https: new https.Agent({ keepAlive: true, maxSockets: 16 }),
    };

    constructor(readonly limits: TransportLimits) {
        this.axios = axios.create({
            timeout: limits.idleMs,
            maxRedirects: 0,
            // The body is read here, so that its size and its time can be capped while it arrives.
            responseType: 'stream',
            decompress: false,
            validateStatus: () => true,
            httpAgent: this.agents.http,
            httpsAgent: this.agents.https,
            transitional: { clarifyTimeoutError: true },
        });
    }

    async post(request: PostRequest): Promise<RawReply & { redirect?: Redirect }> {
        const own = Date.now() + this.limits.requestMs;
        const deadline = Math.min(request.deadline ?? Infinity, own);
        const timer = new AbortController();
        const stop = setTimeout(() => timer.abort(), Math.max(0, deadline - Date.now()));
        const either = linkSignals(timer, request.signal);
        const { signal } = timer;
        try {
            const reply = await this.axios.post<Readable>(request.url, request.body, {
                headers: {
                    'Content-Type': request.contentType,
                    Accept: 'application/json',
                    'Accept-Encoding': 'gzip, deflate, br',
                },
                signal,
            });
            const location = reply.headers.location as unknown;
            if (reply.status >= 300 && reply.status < 400 && typeof location === 'string') {
                reply.data.destroy();
                return { status: reply.status, body: '', redirect: { status: reply.status, location } };
            }
            const body = await readCappedBody(reply.data, {
                encoding: String(reply.headers['content-encoding'] ?? ''),
                maxBytes: this.limits.maxReplyBytes,
                idleMs: this.limits.idleMs,
                signal,
            });
            return { status: reply.status, body };
        } catch (err) {
            if (timer.signal.aborted && !request.signal?.aborted) {
                throw deadlineError(deadline < own ? undefined : this.limits.requestMs);
            }
            throw networkError(err);
        } finally {
            clearTimeout(stop);
            either();
        }
    }

    close(): void {
        this.agents.http.destroy();
        this.agents.https.destroy();
    }
}

/**
 * Aborts `controller` when `outer` aborts (the client closing); returns the unlink, so that the
 * long-lived outer signal does not collect a listener per request.
 */
function linkSignals(controller: AbortController, outer: AbortSignal | undefined): () => void {
    if (!outer) return () => undefined;
    const onAbort = () => controller.abort();
    if (outer.aborted) onAbort();
    else outer.addEventListener('abort', onAbort, { once: true });
    return () => outer.removeEventListener('abort', onAbort);
}

/** The request's own deadline (`requestMs`), or else the end of the time the whole call may take. */
function deadlineError(requestMs: number | undefined): Bitrix24Error {
    return requestMs === undefined
        ? new Bitrix24Error({
              code: LocalCode.CallDeadline,
              description: 'the time for the call, retries included, ran out during a request',
          })
        : new Bitrix24Error({
              code: LocalCode.Timeout,
              description: `the reply was not complete within ${requestMs} ms`,
          });
}

function networkError(err: unknown): Bitrix24Error {
    if (err instanceof ReplyCutError) {
        return new Bitrix24Error({
            code: err.tooLarge ? LocalCode.ResponseTooLarge : LocalCode.ConnectionLost,
            description: err.message,
        });
    }
    const code = codeOf(err);
    const sysCode = codeOf(err instanceof Error ? err.cause : undefined) || code;
    return new Bitrix24Error({
        code: code === 'ETIMEDOUT' || code === 'ECONNABORTED' ? LocalCode.Timeout : LocalCode.Network,
        description: sysCode || (err instanceof Error ? err.message : String(err)),
        // Only a request that surely never left may be resent whatever it does.
        retryable: NOT_SENT.has(sysCode),
    });
}

function codeOf(err: unknown): string {
    return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
        ? err.code
        : '';
}
