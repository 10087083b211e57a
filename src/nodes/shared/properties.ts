import type { Node, NodeAPI, NodeMessage } from 'node-red';

import { isObject } from '../../bitrix24/internal';

/**
 * Reading node properties. A flow written by hand or saved by an older version may lack a
 * property, or hold a number as a string: both are accepted (design: "public contract").
 */
export function numberProperty(value: unknown, fallback: number): number {
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
        return Number(value);
    return fallback;
}

export function booleanProperty(value: unknown, fallback: boolean): boolean {
    if (typeof value === 'boolean') return value;
    if (value === 'true') return true;
    if (value === 'false') return false;
    return fallback;
}

export function choiceProperty<T extends string>(value: unknown, choices: readonly T[], fallback: T): T {
    return choices.includes(value as T) ? (value as T) : fallback;
}

/**
 * A filter or order: an empty object means "none"; anything else goes on to the portal's rules,
 * which offline.ts checks before a request.
 */
export function filterOrNone(value: unknown): Record<string, unknown> | undefined {
    return isObject(value) && Object.keys(value).length === 0
        ? undefined
        : (value as Record<string, unknown>);
}

export function textProperty(value: unknown, fallback = ''): string {
    return typeof value === 'string' ? value : fallback;
}

/** A TypedInput property as configured: `x` and its type `xType` (design: "public contract"). */
export interface TypedProperty {
    value: string;
    type: string;
}

/** A TypedInput property, with its default value and type for what the config lacks. */
export function typedProperty(value: unknown, type: unknown, fallback: TypedProperty): TypedProperty {
    return { value: textProperty(value, fallback.value), type: textProperty(type, fallback.type) };
}

/**
 * A TypedInput property's value for this msg. Always with the callback: JSONata and context
 * stores are asynchronous (docs/node-red.md §2.9). A msg path through a missing object
 * (`meta.process` without `msg.meta`) is absent, like any missing property, so that the check
 * of the value says what is needed instead of "Cannot read properties of undefined".
 */
export function evaluateProperty(
    RED: NodeAPI,
    node: Node,
    { value, type }: TypedProperty,
    msg: NodeMessage,
): Promise<unknown> {
    return new Promise((resolve, reject) => {
        RED.util.evaluateNodeProperty(value, type, node, msg, (err: Error | null, result: unknown) => {
            if (err && type === 'msg' && err instanceof TypeError) resolve(undefined);
            else if (err) reject(err);
            else resolve(result);
        });
    });
}

/**
 * A TypedInput property that must hold an object (a filter, an order, options, params). JSON
 * that does not parse goes on as its text, so that the check of the value says what was
 * expected (an object such as ...) instead of the parser's "Unexpected end of JSON input".
 */
export function evaluateObjectProperty(
    RED: NodeAPI,
    node: Node,
    property: TypedProperty,
    msg: NodeMessage,
): Promise<unknown> {
    return evaluateProperty(RED, node, property, msg).catch((err: unknown) => {
        if (err instanceof SyntaxError) return property.value;
        throw err;
    });
}

/** The filter and order of a node that reads the queue (offline-get, offline-list), as configured. */
export interface QueueSelection {
    filter: TypedProperty;
    order: TypedProperty;
}

/** The config properties of a queue selection. */
export interface QueueSelectionConfig {
    filter?: string;
    filterType?: string;
    order?: string;
    orderType?: string;
}

export function queueSelection(config: QueueSelectionConfig, defaultOrder: string): QueueSelection {
    return {
        filter: typedProperty(config.filter, config.filterType, { value: '{}', type: 'json' }),
        order: typedProperty(config.order, config.orderType, { value: defaultOrder, type: 'json' }),
    };
}

/** The filter and order for this msg (none for an empty object); `givenFilter` replaces the filter. */
export async function evaluateSelection(
    RED: NodeAPI,
    node: Node,
    selection: QueueSelection,
    msg: NodeMessage,
    givenFilter?: unknown,
): Promise<{ filter?: Record<string, unknown>; order?: Record<string, unknown> }> {
    const filter =
        givenFilter !== undefined
            ? givenFilter
            : await evaluateObjectProperty(RED, node, selection.filter, msg);
    const order = await evaluateObjectProperty(RED, node, selection.order, msg);
    return { filter: filterOrNone(filter), order: filterOrNone(order) };
}
