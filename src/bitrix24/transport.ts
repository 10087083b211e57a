import http from 'node:http';
import https from 'node:https';

import axios, { type AxiosInstance } from 'axios';

import type { RawReply } from './envelope';
import { Bitrix24Error, LocalCode } from './errors';

export interface PostRequest {
    url: string;
    body: string;
    contentType: 'application/json' | 'application/x-www-form-urlencoded';
    signal?: AbortSignal;
}

/** Network failures where the request surely never reached the portal: resending is safe. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_INVALID_URL']);

/**
 * Posts a body and returns the status and raw text, whatever they are; parsing and the
 * meaning of statuses belong to envelope.ts. Keeps connections alive: a drain makes many calls.
 * Its own axios instance, so no interceptor of ours leaks into other packages.
 */
export class HttpTransport {
    private readonly axios: AxiosInstance;
    private readonly agents = {
        http: new http.Agent({ keepAlive: true, maxSockets: 16 }),
        https: new https.Agent({ keepAlive: true, maxSockets: 16 }),
    };

    constructor(timeoutMs: number) {
        this.axios = axios.create({
            timeout: timeoutMs,
            maxRedirects: 0,
            responseType: 'text',
            transformResponse: (data: unknown) => data,
            validateStatus: () => true,
            httpAgent: this.agents.http,
            httpsAgent: this.agents.https,
            transitional: { clarifyTimeoutError: true },
        });
    }

    async post(request: PostRequest): Promise<RawReply> {
        try {
            const reply = await this.axios.post<string>(request.url, request.body, {
                headers: { 'Content-Type': request.contentType, Accept: 'application/json' },
                signal: request.signal,
            });
            return { status: reply.status, body: typeof reply.data === 'string' ? reply.data : '' };
        } catch (err) {
            throw networkError(err);
        }
    }

    close(): void {
        this.agents.http.destroy();
        this.agents.https.destroy();
    }
}

function networkError(err: unknown): Bitrix24Error {
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
