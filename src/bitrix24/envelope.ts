import { Bitrix24Error, LocalCode } from './errors';

/** The `time` object of a reply (docs/bitrix24.md §9); fields vary by method and environment. */
export interface RestTime {
    start?: number;
    finish?: number;
    duration?: number;
    processing?: number;
    date_start?: string;
    date_finish?: string;
    /** Seconds this method has used of its 10-minute budget (docs/bitrix24.md §8). */
    operating?: number;
    /** Unix time when the oldest minute of that budget drops off. */
    operating_reset_at?: number;
}

export interface RestResponse<T = unknown> {
    result: T;
    /** `start` value of the next page, for list methods. */
    next?: number;
    total?: number;
    time?: RestTime;
}

export interface RawReply {
    status: number;
    body: string;
}

/**
 * Turns an HTTP reply into a RestResponse or a Bitrix24Error. Bitrix24 errors are keyed by the
 * `error` field, not only the status (older builds answered 200 for some errors, docs/bitrix24.md §9).
 */
export function parseReply<T>(method: string, reply: RawReply): RestResponse<T> {
    const json = parseJson(reply.body);
    if (isObject(json) && 'error' in json) {
        throw errorFromBody(method, reply.status, json);
    }
    if (reply.status >= 300 || !isObject(json) || !('result' in json)) {
        throw new Bitrix24Error({
            code: LocalCode.BadResponse,
            status: reply.status,
            method,
            description: describeBadBody(reply, json),
        });
    }
    return json as unknown as RestResponse<T>;
}

/** A Bitrix24 error object `{error, error_description, argument?}` as an error. */
export function errorFromBody(
    method: string,
    status: number | undefined,
    body: Record<string, unknown>,
): Bitrix24Error {
    const description = typeof body.error_description === 'string' ? body.error_description : '';
    // `crm.deal.get` of a deleted deal answers error "" with "Not found" (docs/bitrix24.md §9, §11).
    const code =
        typeof body.error === 'string' && body.error !== '' ? body.error : codeFromDescription(description);
    return new Bitrix24Error({
        code,
        status,
        method,
        description,
        argument: typeof body.argument === 'string' ? body.argument : undefined,
        feature: code === 'WRONG_LICENSE' ? featureFromDescription(description) : undefined,
        resetAt:
            isObject(body.time) && typeof body.time.operating_reset_at === 'number'
                ? body.time.operating_reset_at
                : undefined,
    });
}

/** WRONG_LICENSE names the missing feature only in its text (docs/bitrix24.md §1, §11). */
function featureFromDescription(description: string) {
    if (/auth_connector/i.test(description)) return 'rest_auth_connector' as const;
    if (/offline/i.test(description)) return 'rest_offline_extended' as const;
    return undefined;
}

function codeFromDescription(description: string): string {
    return /not found/i.test(description) ? 'NOT_FOUND' : 'UNKNOWN_ERROR';
}

function describeBadBody(reply: RawReply, json: unknown): string {
    if (reply.status >= 300 && reply.status < 400) {
        return `HTTP ${reply.status}: the portal moved; check the portal URL`;
    }
    if (json === undefined) {
        const kind = /^\s*</.test(reply.body) ? 'an HTML page' : 'text that is not JSON';
        return `HTTP ${reply.status} with ${kind}`;
    }
    return `HTTP ${reply.status} without a result`;
}

function parseJson(body: string): unknown {
    try {
        return JSON.parse(body);
    } catch {
        return undefined;
    }
}

export function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
