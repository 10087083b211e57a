// REST errors as Bitrix's RestException family produces them (docs/bitrix24.md §9): the body is
// `{error, error_description}` plus any additional keys (`argument` for argument errors), and
// the HTTP status defaults to 400.

export class RestError extends Error {
    constructor(
        readonly code: string,
        readonly description: string,
        readonly status = 400,
        readonly additional: Record<string, unknown> = {},
    ) {
        super(`${code}: ${description}`);
    }

    body(): Record<string, unknown> {
        return { error: this.code, error_description: this.description, ...this.additional };
    }
}

/** AccessException: 403 ACCESS_DENIED "Access denied!" with an optional detail. */
export function accessDenied(detail = ''): RestError {
    return new RestError('ACCESS_DENIED', 'Access denied!' + (detail === '' ? '' : ' ' + detail), 403);
}

/** AuthTypeException: a webhook (or any non-OAuth auth) calling an OAuth-only method. */
export function wrongAuthType(): RestError {
    return new RestError('WRONG_AUTH_TYPE', 'Current authorization type is denied for this method', 403);
}

/** LicenseException: a plan feature is off (docs/bitrix24.md §1, §11). */
export function wrongLicense(feature: string): RestError {
    return new RestError(
        'WRONG_LICENSE',
        `This feature is not enabled for the current license: ${feature}`,
        403,
    );
}

/** Main\ArgumentException and Rest\Exceptions\ArgumentException: 400 with `argument`. */
export function argumentError(message: string, argument: string): RestError {
    return new RestError('ERROR_ARGUMENT', message, 400, { argument });
}

/** ArgumentNullException: "Argument 'X' is null or empty". */
export function argumentNull(argument: string): RestError {
    return argumentError(`Argument '${argument}' is null or empty`, argument);
}

/** ArgumentTypeException without an expected type. */
export function argumentType(argument: string): RestError {
    return argumentError(`The value of an argument '${argument}' has an invalid type`, argument);
}

/** A plain RestException with ERROR_ARGUMENT (no `argument` key), e.g. filter errors. */
export function restArgument(message: string): RestError {
    return new RestError('ERROR_ARGUMENT', message, 400);
}

/** OAuthException: the OAuth check's error code, 401 unless told otherwise (docs/bitrix24.md §7). */
export function oauthError(code: string, description: string, status = 401): RestError {
    return new RestError(code, description, status);
}

export function methodNotFound(): RestError {
    return new RestError('ERROR_METHOD_NOT_FOUND', 'Method not found!', 404);
}

export function queryLimitExceeded(): RestError {
    return new RestError('QUERY_LIMIT_EXCEEDED', 'Too many requests', 503);
}

export function operationTimeLimit(): RestError {
    return new RestError('OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.', 429);
}

/**
 * The errors of an application or portal that can no longer work (docs/bitrix24.md §15.7): the
 * application was removed (ERROR_OAUTH), its subscription ran out (PAYMENT_REQUIRED), a token the
 * portal cannot resolve (invalid_token), the portal was deleted (PORTAL_DELETED, 410).
 */
export function applicationRemoved(): RestError {
    return oauthError('ERROR_OAUTH', 'Application not installed');
}

export function paymentRequired(): RestError {
    return oauthError('PAYMENT_REQUIRED', 'Payment required');
}

export function invalidToken(): RestError {
    return oauthError('invalid_token', 'Unable to get application by token');
}

export function portalDeleted(): RestError {
    return new RestError('PORTAL_DELETED', 'Portal was deleted', 410);
}

/** The free plan: no REST for local applications and webhooks (docs/bitrix24.md §7). */
export function restNotOnPlan(): RestError {
    return new RestError('ACCESS_DENIED', 'REST is available only on commercial plans', 403);
}
