// The OAuth server (oauth.bitrix.info) on its own listener: GET or form POST to /oauth/token/
// with grant_type refresh_token or authorization_code (docs/bitrix24.md §7). Refresh tokens are single
// use: a reused one gets invalid_grant. One server may serve many portals, as Bitrix24's does: the
// caller says which portal a request's token belongs to.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { readBody, requestParams } from '../http/request';
import { sendJson } from '../http/response';
import { strval } from '../php/values';
import type { Portal } from '../portal';
import { tokenResponse } from './token-response';

export function sendOAuthFailure(
    response: ServerResponse,
    status: number,
    error: string,
    description: string,
): void {
    sendJson(response, status, JSON.stringify({ error, error_description: description }));
}

/** The fields of a token request, as strings. */
export type TokenRequestField = (key: string) => string;

/**
 * Whether the token server at `base` knows this portal's apps: with a regional token server,
 * the other one does not (docs/bitrix24.md §15.3).
 */
export function tokenServerServes(portal: Portal, base: string): boolean {
    return !portal.regionalTokenServer || base === portal.info.tokenServer;
}

/**
 * `portalFor` names the portal the request's token or code belongs to (undefined: none, which
 * answers invalid_client); `base` is this token server's own URL.
 */
export async function handleOAuthServer(
    request: IncomingMessage,
    response: ServerResponse,
    portalFor: (read: TokenRequestField) => Portal | undefined,
    base: string,
): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://oauth.local');
    const body = await readBody(request);
    if (!/^\/oauth\/token\/?$/.test(url.pathname)) {
        sendOAuthFailure(response, 404, 'NOT_FOUND', 'Unknown path');
        return;
    }
    const params = requestParams(request, url, body);
    const read = (key: string) => strval(params.get(key));
    const grantType = read('grant_type');
    const portal = portalFor(read);
    if (!portal || !tokenServerServes(portal, base)) {
        sendOAuthFailure(response, 401, 'invalid_client', 'Invalid client credentials');
        return;
    }
    const app = portal.apps.byClientId(read('client_id'));
    // invalid_client: bad id or secret, or the app is not installed (docs/bitrix24.md §7).
    if (!app || !app.installed || app.clientSecret !== read('client_secret')) {
        sendOAuthFailure(response, 401, 'invalid_client', 'Invalid client credentials');
        return;
    }
    if (app.paymentExpired) {
        sendOAuthFailure(response, 401, 'PAYMENT_REQUIRED', 'Payment required');
        return;
    }
    let grant;
    if (grantType === 'refresh_token') {
        grant = portal.tokens.refresh(app, read('refresh_token'));
        if (typeof grant !== 'string') portal.counters.refreshes++;
    } else if (grantType === 'authorization_code') {
        grant = portal.tokens.exchangeCode(app, read('code'));
        if (typeof grant !== 'string') portal.counters.codeExchanges++;
    } else {
        sendOAuthFailure(response, 400, 'invalid_request', 'Unsupported grant_type');
        return;
    }
    if (typeof grant === 'string') {
        sendOAuthFailure(response, 400, grant, 'Invalid authorization tokens');
        return;
    }
    sendJson(response, 200, JSON.stringify(tokenResponse(grant, app, portal.info, portal.clock)));
}
