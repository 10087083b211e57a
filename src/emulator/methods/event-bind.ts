// event.bind, event.unbind, event.get and events (docs/bitrix24.md §5, per source Api\Event).
import { GLOBAL_SCOPE } from '../events/catalog';
import {
    boolval,
    changeKeyCase,
    intval,
    isPhpArray,
    isset,
    strval,
    type PhpArray,
    type PhpValue,
} from '../php/values';
import { connectorOf, isAdmin, ok, type CallContext, type MethodResult } from '../rest/context';
import { accessDenied, argumentError, argumentNull, RestError } from '../rest/errors';
import { requireOAuthApp } from './guards';
import { checkHandlerUrl } from './handler-url';

const EVENT_TYPES = ['online', 'offline'];

function readEventType(q: PhpArray): 'online' | 'offline' {
    const eventType = strval(q.get('EVENT_TYPE') ?? '').toLowerCase();
    if (eventType === '') return 'online';
    if (!EVENT_TYPES.includes(eventType)) {
        throw argumentError('Value must be one of {online|offline}', 'EVENT_TYPE');
    }
    return eventType as 'online' | 'offline';
}

export function eventBind(query: PhpArray, ctx: CallContext): MethodResult {
    const app = requireOAuthApp(ctx);
    const q = changeKeyCase(query, 'upper');
    const admin = isAdmin(ctx);
    const eventName = strval(q.get('EVENT') ?? '').toUpperCase();
    let eventUser = intval(q.get('AUTH_TYPE'));
    let handler = strval(q.get('HANDLER') ?? '');
    const options =
        isset(q, 'OPTIONS') && isPhpArray(q.get('OPTIONS'))
            ? (q.get('OPTIONS') as PhpArray)
            : new Map<string, PhpValue>();

    if (eventUser > 0) {
        if (!admin && eventUser !== ctx.auth.userId) {
            throw accessDenied('Event binding with AUTH_TYPE requires administrator access rights');
        }
    } else if (!admin) {
        eventUser = ctx.auth.userId;
    }
    if (eventName === '') throw argumentNull('EVENT');
    const eventType = readEventType(q);
    if (eventType === 'offline') {
        if (!admin) throw accessDenied('Offline events binding requires administrator access rights');
        handler = '';
        eventUser = 0;
    } else if (handler === '') {
        throw argumentNull('HANDLER');
    }
    if (handler !== '') checkHandlerUrl(handler);

    // The event must belong to one of the token's scopes or the global one (docs/bitrix24.md §5).
    const info = ctx.portal.catalog.get(eventName);
    if (!info || ![...ctx.auth.scope, GLOBAL_SCOPE].includes(info.scope)) {
        throw new RestError('ERROR_EVENT_NOT_FOUND', 'Event not found');
    }
    if (handler === '' && info.disableOffline) {
        throw new RestError('ERROR_ARGUMENT', 'Offline event cannot be registered for this event.');
    }
    const kept: Record<string, string | number> = {};
    for (const [code, type] of Object.entries(info.allowOptions ?? {})) {
        if (!isset(options, code)) continue;
        const value = options.get(code);
        if (type === 'int') kept[code] = intval(value);
        else if (typeof value === 'string') kept[code] = value;
    }
    const added = ctx.portal.bindings.add({
        appId: app.id,
        eventName,
        handler,
        userId: eventUser > 0 ? eventUser : 0,
        connector: connectorOf(ctx.auth),
        options: kept,
    });
    if (added === 'duplicate') {
        throw new RestError('ERROR_CORE', 'Unable to set event handler: Handler already binded');
    }
    return ok(true);
}

export function eventUnbind(query: PhpArray, ctx: CallContext): MethodResult {
    const app = requireOAuthApp(ctx);
    const q = changeKeyCase(query, 'upper');
    const admin = isAdmin(ctx);
    const eventName = strval(q.get('EVENT') ?? '').toUpperCase();
    let handler = strval(q.get('HANDLER') ?? '');
    // docs/bitrix24.md §5: the docs say no parameters unbinds everything; the source requires EVENT.
    if (eventName === '') throw argumentNull('EVENT');
    const eventType = readEventType(q);
    if (eventType === 'offline') {
        if (!admin) throw accessDenied('Offline events unbinding requires administrator access rights');
        handler = '';
    } else if (handler === '') {
        throw argumentNull('HANDLER');
    }

    let userFilter: number | undefined;
    const connector = eventType === 'offline' ? connectorOf(ctx.auth) : undefined;
    if (eventType === 'online') {
        if (isset(q, 'AUTH_TYPE')) {
            // `$query['AUTH_TYPE'] !== intval($USER->GetID())`: a strict compare, so a string
            // from a form never equals the user id and only admins get past it (per source).
            const raw = q.get('AUTH_TYPE');
            if (!admin && raw !== ctx.auth.userId) {
                throw accessDenied('Event unbinding with AUTH_TYPE requires administrator access rights');
            }
            userFilter = intval(raw);
        } else if (!admin) {
            userFilter = ctx.auth.userId;
        }
    }
    const count = ctx.portal.bindings.remove(
        (binding) =>
            binding.appId === app.id &&
            binding.eventName === eventName &&
            binding.handler === handler &&
            (connector === undefined || binding.connector === connector) &&
            (userFilter === undefined || binding.userId === userFilter),
    );
    // Rows already queued stay (docs/bitrix24.md §5).
    return ok({ count });
}

export function eventGet(_query: PhpArray, ctx: CallContext): MethodResult {
    const app = requireOAuthApp(ctx);
    const admin = isAdmin(ctx);
    const result = ctx.portal.bindings
        .forApp(app.id)
        .filter((binding) => admin || binding.userId === ctx.auth.userId)
        .map((binding) =>
            binding.handler !== ''
                ? {
                      event: binding.eventName,
                      handler: binding.handler,
                      auth_type: String(binding.userId),
                      offline: 0,
                  }
                : { event: binding.eventName, connector_id: binding.connector, offline: 1 },
        );
    return ok(result);
}

export function eventsList(query: PhpArray, ctx: CallContext): MethodResult {
    requireOAuthApp(ctx);
    const q = changeKeyCase(query, 'upper');
    let scopes = [GLOBAL_SCOPE];
    if (isset(q, 'SCOPE')) {
        const scope = strval(q.get('SCOPE'));
        if (scope !== '') scopes = [scope];
    } else if (isset(q, 'FULL') && boolval(q.get('FULL'))) {
        scopes = ctx.portal.catalog.scopes();
    } else {
        scopes = [...ctx.auth.scope, GLOBAL_SCOPE];
    }
    return ok(ctx.portal.catalog.namesIn(scopes));
}
