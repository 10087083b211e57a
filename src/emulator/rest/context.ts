// What a REST method handler receives besides its parameters.
import type { RequestScope } from '../events/request-scope';
import type { Grant } from '../oauth/token-store';
import type { PhpArray } from '../php/values';
import type { Portal } from '../portal';
import type { App } from '../store/apps';

export const AUTH_OAUTH = 'oauth';
export const AUTH_WEBHOOK = 'apauth';

/** The outcome of CRestServer::checkAuth (docs/bitrix24.md §7). */
export interface AuthInfo {
    type: typeof AUTH_OAUTH | typeof AUTH_WEBHOOK;
    /** OAuth: the app's client_id; webhooks: null. */
    clientId: string | null;
    /** Webhooks: the password id; OAuth: null. */
    passwordId: number | null;
    userId: number;
    scope: string[];
    app?: App;
    grant?: Grant;
    /** auth_connector from the request's auth data; undefined when it was not sent. */
    connector?: string;
    /** The auth parameters taken out of the query (parameters_clear), with their values. */
    authParams: PhpArray;
}

export interface CallContext {
    portal: Portal;
    auth: AuthInfo;
    scope: RequestScope;
    /** The `start` parameter, already taken out of the query (CRestServer::processCall). */
    start: number;
    method: string;
}

/** A method's answer; `next` and `total` move to the top level of the envelope (docs/bitrix24.md §9). */
export interface MethodResult {
    result: unknown;
    next?: number;
    total?: number;
    /** Simulated processing time when it is not the method's own cost (batch: its sub-calls). */
    processing?: number;
}

export type MethodHandler = (query: PhpArray, ctx: CallContext) => MethodResult;

export interface MethodSpec {
    scope: string;
    handler: MethodHandler;
}

export function ok(result: unknown): MethodResult {
    return { result };
}

/** The connector a request addresses: auth_connector or '' (docs/bitrix24.md §1, §11). */
export function connectorOf(auth: AuthInfo): string {
    return auth.connector ?? '';
}

export function isAdmin(ctx: CallContext): boolean {
    return ctx.portal.users.isAdmin(ctx.auth.userId);
}
