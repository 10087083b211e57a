import { Bitrix24Error, type Bitrix24Client } from '../../bitrix24';
import { isObject } from '../../bitrix24/internal';
import type { BindingSpec, EventType } from './binding-spec';

/**
 * A handler as `event.get` lists it (docs/bitrix24.md §5): online `{event, handler, auth_type, offline: 0}`,
 * offline `{event, connector_id, offline: 1}`.
 */
export interface EventHandler {
    event: string;
    offline: number | string;
    handler?: string;
    auth_type?: string;
    connector_id?: string;
}

/** `msg.payload` of a bind: `already` is true when the portal had the binding before. */
export interface BindResult {
    event: string;
    eventType: EventType;
    connector: string;
    handler?: string;
    bound: true;
    already: boolean;
}

/** `msg.payload` of an unbind: `removed` is the number of handlers the portal deleted. */
export interface UnbindResult {
    event: string;
    eventType: EventType;
    connector: string;
    handler?: string;
    bound: false;
    removed: number;
}

/** "Handler already binded", or a concurrent bind of the same handler (docs/bitrix24.md §5). */
const ALREADY_BOUND = /already binded|already started/i;

/** event.bind / event.unbind / event.get for one application (docs/bitrix24.md §5). */
export class EventBindings {
    constructor(private readonly client: Bitrix24Client) {}

    async list(): Promise<EventHandler[]> {
        const { result } = await this.client.call<unknown>('event.get');
        return Array.isArray(result) ? result.filter(isHandler) : [];
    }

    /** Binds; binding what is already bound is a success that says so. */
    async bind(spec: BindingSpec): Promise<BindResult> {
        const params: Record<string, unknown> = { event: spec.event, event_type: spec.eventType };
        if (spec.eventType === 'online') params.handler = spec.handler;
        if (Object.keys(spec.options).length > 0) params.options = spec.options;
        try {
            await this.client.call('event.bind', params, { authConnector: spec.connector });
            return bindResult(spec, false);
        } catch (err) {
            if (
                err instanceof Bitrix24Error &&
                err.code === 'ERROR_CORE' &&
                ALREADY_BOUND.test(err.description)
            )
                return bindResult(spec, true);
            throw err;
        }
    }

    async unbind(spec: BindingSpec): Promise<UnbindResult> {
        const params: Record<string, unknown> = { event: spec.event, event_type: spec.eventType };
        if (spec.eventType === 'online') params.handler = spec.handler;
        const { result } = await this.client.call<unknown>('event.unbind', params, {
            authConnector: spec.connector,
        });
        const removed = isObject(result) ? Number(result.count) || 0 : 0;
        return { ...describe(spec), bound: false, removed };
    }

    /** Reads `event.get` and binds only when the binding is missing: one request when it is there. */
    async ensure(spec: BindingSpec): Promise<BindResult> {
        const handlers = await this.list();
        return handlers.some((handler) => matches(handler, spec)) ? bindResult(spec, true) : this.bind(spec);
    }
}

/**
 * Whether `event.get` lists this binding. Offline handlers differ by connector; online ones by
 * URL (event.get does not show an online handler's connector).
 */
export function matches(handler: EventHandler, spec: BindingSpec): boolean {
    if (handler.event.toUpperCase() !== spec.event) return false;
    const offline = Number(handler.offline) === 1;
    if (spec.eventType === 'offline') return offline && (handler.connector_id ?? '') === spec.connector;
    return !offline && handler.handler === spec.handler;
}

function isHandler(value: unknown): value is EventHandler {
    return isObject(value) && typeof value.event === 'string';
}

function describe(spec: BindingSpec) {
    return {
        event: spec.event,
        eventType: spec.eventType,
        connector: spec.connector,
        ...(spec.eventType === 'online' ? { handler: spec.handler } : {}),
    };
}

function bindResult(spec: BindingSpec, already: boolean): BindResult {
    return { ...describe(spec), bound: true, already };
}
