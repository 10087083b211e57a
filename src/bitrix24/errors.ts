/**
 * The one error class of the client. It carries what a caller needs to decide (code, HTTP status,
 * method, whether a retry may help) and a message a user can act on. Messages never contain a
 * token or a webhook secret: descriptions are redacted before they get here (see redact.ts).
 */

/** Codes of our own, for failures that are not a Bitrix24 answer. */
export const LocalCode = {
    InvalidConfig: 'INVALID_CONFIG',
    InvalidArgument: 'INVALID_ARGUMENT',
    Network: 'NETWORK_ERROR',
    Timeout: 'TIMEOUT',
    BadResponse: 'BAD_RESPONSE',
    NotAuthorized: 'NOT_AUTHORIZED',
    Closed: 'CLIENT_CLOSED',
    /** The connection broke after the portal began to answer: the call may have run. */
    ConnectionLost: 'CONNECTION_LOST',
    /** The reply passed the size cap, on the wire or once decompressed. */
    ResponseTooLarge: 'RESPONSE_TOO_LARGE',
    /** A call and its retries ran past the time a call may take in all. */
    CallDeadline: 'CALL_DEADLINE',
    /** A redirect to a host that could not be shown to be the same portal. */
    PortalMoved: 'PORTAL_MOVED',
    /** The shared store (Redis) did not answer in time or is not connected: nothing was changed there. */
    StoreUnreachable: 'STORE_UNREACHABLE',
} as const;

/** Plan features that gate parts of the offline-events API (docs/bitrix24.md §0.4, §0.5). */
export type PlanFeature = 'rest_offline_extended' | 'rest_auth_connector';

export interface Bitrix24ErrorInit {
    code: string;
    status?: number;
    method?: string;
    retryable?: boolean;
    /** Bitrix24's error_description, or our own detail; already redacted. */
    description?: string;
    /** For argument errors: the parameter at fault. */
    argument?: string;
    /** For WRONG_LICENSE: the plan feature that is missing. */
    feature?: PlanFeature;
    /** For OPERATION_TIME_LIMIT: when the method's budget frees up (unix seconds), if known. */
    resetAt?: number;
    /** For bad input: a stable name of what is wrong, so that callers can translate it. */
    reason?: string;
    /** Values for that translation. */
    params?: Record<string, string | number>;
    cause?: unknown;
}

export class Bitrix24Error extends Error {
    override readonly name = 'Bitrix24Error';
    readonly code: string;
    readonly status: number | undefined;
    readonly method: string | undefined;
    readonly retryable: boolean;
    readonly description: string;
    readonly argument: string | undefined;
    readonly feature: PlanFeature | undefined;
    readonly resetAt: number | undefined;
    readonly reason: string | undefined;
    readonly params: Record<string, string | number> | undefined;

    constructor(init: Bitrix24ErrorInit) {
        super(explain(init), init.cause === undefined ? undefined : { cause: init.cause });
        this.code = init.code;
        this.status = init.status;
        this.method = init.method;
        this.retryable = init.retryable ?? false;
        this.description = init.description ?? '';
        this.argument = init.argument;
        this.feature = init.feature;
        this.resetAt = init.resetAt;
        this.reason = init.reason;
        this.params = init.params;
    }

    /** The same error with some fields changed. */
    with(patch: Partial<Bitrix24ErrorInit>): Bitrix24Error {
        return new Bitrix24Error({ ...this.init(), ...patch });
    }

    private init(): Bitrix24ErrorInit {
        return {
            code: this.code,
            status: this.status,
            method: this.method,
            retryable: this.retryable,
            description: this.description,
            argument: this.argument,
            feature: this.feature,
            resetAt: this.resetAt,
            reason: this.reason,
            params: this.params,
            cause: this.cause,
        };
    }
}

/** Bad input in a call: `reason` names what is wrong, for translation; nothing was sent. */
export function invalidArgument(
    argument: string,
    reason: string,
    description: string,
    params?: Record<string, string>,
): Bitrix24Error {
    return new Bitrix24Error({ code: LocalCode.InvalidArgument, argument, reason, description, params });
}

/** Bad configuration (a portal URL, a webhook URL, a rate limit). */
export function invalidConfig(
    argument: string,
    reason: string,
    description: string,
    params?: Record<string, string>,
): Bitrix24Error {
    return new Bitrix24Error({ code: LocalCode.InvalidConfig, argument, reason, description, params });
}

/** What the portal answers a webhook that calls an `event.*` method (docs/bitrix24.md §0.1), said before asking. */
export function wrongAuthType(method: string): Bitrix24Error {
    return new Bitrix24Error({
        code: 'WRONG_AUTH_TYPE',
        status: 403,
        method,
        description: 'a webhook cannot call event.* methods',
    });
}

export function isBitrix24Error(value: unknown): value is Bitrix24Error {
    return value instanceof Bitrix24Error;
}

/** What the user should do, per error code (docs/bitrix24.md §7, §9, §11). */
const HINTS: Record<string, (init: Bitrix24ErrorInit) => string> = {
    WRONG_AUTH_TYPE: () => 'offline events need an OAuth application; a webhook cannot use them',
    ACCESS_DENIED: () => 'the token must belong to a portal administrator',
    WRONG_LICENSE: (e) =>
        e.feature
            ? `the portal's plan lacks the feature ${e.feature} (${FEATURE_USE[e.feature]})`
            : "the portal's plan lacks a feature this call needs",
    invalid_grant: () =>
        'the refresh token is expired or was already used: re-authorise the application (install it again or press Connect)',
    invalid_client: () => 'the client id or client secret is wrong, or the application is not installed',
    ERROR_METHOD_NOT_FOUND: () => 'the portal has no such method, or the application lacks its scope',
    ERROR_EVENT_NOT_FOUND: () =>
        "the application lacks the scope of that event (crm for ONCRM*, task for ONTASK*): add it in the application's settings",
    INVALID_CREDENTIALS: () => 'the webhook URL is wrong or the webhook was deleted',
    NO_AUTH_FOUND: () => 'the portal did not accept the credentials: check the token or the webhook URL',
    insufficient_scope: () =>
        "the token lacks the scope of this method: add it in the application's settings",
    expired_token: () => 'the access token expired and could not be refreshed',
    invalid_token: () =>
        'the portal does not know the access token and a refresh did not help: re-authorise the application (install it again or press Connect)',
    ERROR_OAUTH: () =>
        'the application was removed from the portal (or its access revoked): install it again, then press Connect',
    PAYMENT_REQUIRED: () =>
        "the portal's subscription or the application's payment has run out: renew it in the portal, then the calls work again",
    PORTAL_DELETED: () => 'the portal was deleted: check the portal URL, or remove this portal node',
    QUERY_LIMIT_EXCEEDED: () => 'too many requests to the portal; slowing down did not help in time',
    OPERATION_TIME_LIMIT: () =>
        "this method used up the portal's 10-minute time budget; wait for it to reset",
    [LocalCode.Network]: () => 'the portal could not be reached',
    [LocalCode.Timeout]: () => 'the portal did not answer in time',
    [LocalCode.ConnectionLost]: () =>
        'the connection broke while the portal was answering: the call may or may not have run',
    [LocalCode.ResponseTooLarge]: () =>
        "the portal's reply is larger than the client accepts: ask for less (a smaller page, fewer fields)",
    [LocalCode.CallDeadline]: () =>
        'the call did not succeed within its time limit, retries included: the portal is slow or failing',
    [LocalCode.PortalMoved]: () =>
        'the portal redirects to another address that could not be confirmed as the same portal: if it was renamed, enter the new address in the portal node',
    [LocalCode.StoreUnreachable]: () =>
        'the shared store (Redis) is unreachable: work that needs it waits until it is back',
    [LocalCode.BadResponse]: () => 'the portal answered with something that is not a Bitrix24 REST reply',
    [LocalCode.NotAuthorized]: () =>
        'no OAuth tokens yet: install the application, press Connect, or paste the tokens into the portal node',
};

const FEATURE_USE: Record<PlanFeature, string> = {
    rest_offline_extended: 'needed to reserve events with clear=0',
    rest_auth_connector: 'needed for auth_connector',
};

function explain(init: Bitrix24ErrorInit): string {
    const hint = HINTS[init.code]?.(init);
    const where = [init.method, init.code].filter(Boolean).join(': ');
    if (
        init.code === LocalCode.InvalidConfig ||
        init.code === LocalCode.InvalidArgument ||
        init.code === LocalCode.Closed
    ) {
        return init.description ?? where;
    }
    if (hint) {
        return init.description ? `${hint} (${where}: ${init.description})` : `${hint} (${where})`;
    }
    return init.description ? `${where}: ${init.description}` : where;
}
