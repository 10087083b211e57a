import { invalidArgument } from '../../bitrix24';
import { isObject } from '../../bitrix24/internal';

export type EventType = 'offline' | 'online';

/** One subscription: what `event.bind` and `event.unbind` are called with (docs/bitrix24.md §5). */
export interface BindingSpec {
    /** Upper case, as the portal stores it. */
    event: string;
    eventType: EventType;
    /** Online only: the URL the portal POSTs each event to. */
    handler: string;
    /** '' = no connector. It selects the queue, so bind, read and clear with the same one (docs/bitrix24.md §11). */
    connector: string;
    options: Record<string, unknown>;
}

export interface BindingInput {
    event: unknown;
    eventType: EventType;
    handler?: unknown;
    connector?: string;
    options?: unknown;
}

/** Whether two bindings are one handler with the same options, as the portal stores it (docs/bitrix24.md §5). */
export function sameBinding(a: BindingSpec, b: BindingSpec): boolean {
    return (
        a.event === b.event &&
        a.eventType === b.eventType &&
        a.handler === b.handler &&
        a.connector === b.connector &&
        JSON.stringify(a.options) === JSON.stringify(b.options)
    );
}

/** Every Bitrix24 event code starts with ON (ONCRMDEALUPDATE, ONTASKADD, ONOFFLINEEVENT, ...). */
const EVENT_NAME = /^ON[A-Z0-9_]{2,100}$/;
const DOORBELL = 'ONOFFLINEEVENT';

/** Checks a binding before any request, with the portal's own rules where they are known (docs/bitrix24.md §5). */
export function bindingSpec(input: BindingInput): BindingSpec {
    const event = checkEventName(input.event);
    const handler = input.eventType === 'online' ? checkHandlerUrl(input.handler) : '';
    if (input.eventType === 'offline' && event === DOORBELL) {
        // The portal answers "Offline event cannot be registered for this event." (docs/bitrix24.md §5).
        throw invalidArgument('event', 'doorbell-offline', `${DOORBELL} can only be bound online`, { event });
    }
    return {
        event,
        eventType: input.eventType,
        handler,
        connector: input.connector ?? '',
        options: checkOptions(input.options),
    };
}

export function checkEventName(value: unknown): string {
    const event = typeof value === 'string' ? value.trim().toUpperCase() : '';
    if (!EVENT_NAME.test(event)) {
        const shown = (typeof value === 'string' ? value : (JSON.stringify(value) ?? '')).slice(0, 60);
        throw invalidArgument(
            'event',
            'event-name',
            `"${shown}" is not an event code: use one such as ONCRMDEALUPDATE (ON, then letters, digits and _)`,
            { event: shown },
        );
    }
    return event;
}

/** The portal refuses handlers that are not http(s) or whose host has no dot, e.g. localhost (docs/bitrix24.md §5). */
export function checkHandlerUrl(value: unknown): string {
    const text = typeof value === 'string' ? value.trim() : '';
    let url: URL | undefined;
    try {
        url = new URL(text);
    } catch {
        url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || !url.hostname.includes('.')) {
        throw invalidArgument(
            'handler',
            'handler-url',
            `an online binding needs a handler URL such as https://nodered.example.com/hook (http or https, a host with a dot); "${text.slice(0, 80)}" is not one`,
            { handler: text.slice(0, 80) },
        );
    }
    return url.href;
}

function checkOptions(value: unknown): Record<string, unknown> {
    if (value === undefined || value === null || value === '') return {};
    if (!isObject(value)) {
        throw invalidArgument(
            'options',
            'options-not-object',
            'the options must be an object such as {"minTimeout": 5}',
        );
    }
    return value;
}
