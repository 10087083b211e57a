// CRestUtil::checkAuth with its two providers (docs/bitrix24.md §7, per source lib/oauth/auth.php and
// lib/apauth/auth.php): a webhook path, or an OAuth token from `Authorization: Bearer`, `auth` or
// `access_token`. Every failure is an OAuthException: 401 unless noted.
import { GLOBAL_SCOPE } from '../events/catalog';
import { isPhpArray, strval, type PhpArray } from '../php/values';
import type { Portal } from '../portal';
import { AUTH_OAUTH, AUTH_WEBHOOK, type AuthInfo } from './context';
import {
    applicationRemoved,
    invalidToken,
    oauthError,
    paymentRequired,
    type RestError,
    wrongLicense,
} from './errors';
import { FEATURE_AUTH_CONNECTOR } from '../store/features';

export interface WebhookPath {
    user: string;
    secret: string;
}

const OAUTH_QUERY_KEYS = ['auth', 'access_token'];
const WEBHOOK_QUERY_KEYS = ['aplogin', 'ap'];

export function resolveAuth(
    portal: Portal,
    query: PhpArray,
    methodScope: string,
    authorization: string | undefined,
    webhook: WebhookPath | undefined,
): AuthInfo | RestError {
    if (webhook) {
        // The portal rewrites /rest/<user>/<secret>/ into aplogin/ap query parameters.
        query.set('aplogin', webhook.user);
        query.set('ap', webhook.secret);
        return webhookAuth(portal, query, methodScope, webhook);
    }
    return oauthAuth(portal, query, methodScope, authorization);
}

function webhookAuth(
    portal: Portal,
    query: PhpArray,
    methodScope: string,
    path: WebhookPath,
): AuthInfo | RestError {
    const authParams = takeParams(query, WEBHOOK_QUERY_KEYS);
    // strval(intval($uid)) === $uid: only a plain user id is accepted here (no logins exist).
    const userId = /^(0|[1-9]\d*)$/.test(path.user) ? Number(path.user) : -1;
    const hook = portal.webhooks.find(userId, path.secret);
    // docs/bitrix24.md §7: the docs list 403; the source raises it through the OAuth-error path, so 401.
    // The same goes for insufficient_scope below. (No "Https required": the emulator speaks http,
    // as a portal with REST_APAUTH_ALLOW_HTTP would.)
    if (!hook) return oauthError('INVALID_CREDENTIALS', 'Invalid request credentials');
    if (methodScope !== GLOBAL_SCOPE && !hook.scope.includes(methodScope)) {
        return oauthError(
            'insufficient_scope',
            'The request requires higher privileges than provided by the webhook token',
        );
    }
    if (!portal.users.get(userId)?.active)
        return oauthError('authorization_error', 'Unable to authorize user');
    // Webhooks do not recognise auth_connector (docs/bitrix24.md §7): it stays an ordinary parameter.
    return {
        type: AUTH_WEBHOOK,
        clientId: null,
        passwordId: hook.id,
        userId,
        scope: hook.scope,
        authParams,
    };
}

function oauthAuth(
    portal: Portal,
    query: PhpArray,
    methodScope: string,
    authorization: string | undefined,
): AuthInfo | RestError {
    let token: string | undefined;
    const bearer =
        authorization && /^Bearer\s+/i.test(authorization)
            ? authorization.replace(/^Bearer\s+/i, '')
            : undefined;
    if (bearer !== undefined) token = bearer;
    else {
        for (const key of OAUTH_QUERY_KEYS) {
            const value = query.get(key);
            if (value !== undefined && !isPhpArray(value)) {
                token = strval(value);
                break;
            }
        }
    }
    if (token === undefined) return oauthError('NO_AUTH_FOUND', 'Wrong authorization data');

    const grant = portal.tokens.findAccess(token);
    if (!grant) return invalidToken();
    const app = portal.apps.byClientId(grant.clientId);
    if (!app || !app.active) return oauthError('APPLICATION_NOT_FOUND', 'Application not found');
    if (!app.installed) return applicationRemoved();
    if (app.paymentExpired) return paymentRequired();
    if (portal.licenseExpired) return wrongLicense('applications');
    if (grant.expires <= portal.clock.nowSeconds()) {
        return oauthError('expired_token', 'The access token provided has expired');
    }
    if (methodScope !== GLOBAL_SCOPE && !grant.scope.includes(methodScope)) {
        return oauthError(
            'insufficient_scope',
            'The request requires higher privileges than provided by the access token',
        );
    }
    if (grant.userId > 0 && !portal.users.get(grant.userId)?.active) {
        return oauthError('authorization_error', 'Unable to authorize user');
    }

    const authParams = takeParams(query, OAUTH_QUERY_KEYS);
    let connector: string | undefined;
    if (query.has('auth_connector')) {
        const raw = query.get('auth_connector');
        query.delete('auth_connector');
        authParams.set('auth_connector', raw ?? null);
        // isset(): a null connector counts as absent, for the license check and everywhere else.
        if (raw !== null && raw !== undefined) connector = strval(raw);
    }
    // CRestServer::checkAuth: any auth_connector without the feature fails the whole call.
    if (connector !== undefined && !portal.hasFeature(FEATURE_AUTH_CONNECTOR)) {
        return wrongLicense('auth_connector');
    }
    return {
        type: AUTH_OAUTH,
        clientId: app.clientId,
        passwordId: null,
        userId: grant.userId,
        scope: grant.scope,
        app,
        grant,
        connector,
        authParams,
    };
}

/** parameters_clear: move these keys out of the method parameters into the auth data. */
function takeParams(query: PhpArray, keys: readonly string[]): PhpArray {
    const taken: PhpArray = new Map();
    for (const key of keys) {
        if (query.has(key)) {
            taken.set(key, query.get(key) ?? null);
            query.delete(key);
        }
    }
    return taken;
}
