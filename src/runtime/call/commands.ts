import { invalidArgument, normalizeMethod, type BatchCommand } from '../../bitrix24';
import { isObject } from '../../bitrix24/internal';

/**
 * What `bitrix24-call` accepts, checked before any request: a method name, params that are an
 * object, or a list of `{method, params, key?}` commands.
 */

export function checkMethod(method: unknown): string {
    if (isBlank(method)) {
        throw invalidArgument(
            'method',
            'method-empty',
            'no method: enter one such as crm.deal.update, or send a list of {method, params} commands',
        );
    }
    return normalizeMethod(method);
}

/** Absent params mean none; anything else must be an object (the client says so for the rest). */
export function paramsOrNone(params: unknown): Record<string, unknown> {
    return params === undefined || params === null ? {} : (params as Record<string, unknown>);
}

/** Each item is `{method, params?, key?}`; `method` defaults to the node's own, if it has one. */
export function toCommands(items: readonly unknown[], defaultMethod: unknown): BatchCommand[] {
    return items.map((item, index) => {
        const position = String(index + 1);
        if (!isObject(item)) {
            throw invalidArgument(
                'cmd',
                'command-not-object',
                `command ${position} must be an object {method, params}`,
                {
                    index: position,
                },
            );
        }
        const method: unknown = item.method ?? defaultMethod;
        // Absent is "no method"; anything else (a number, say) is told it is not a method name.
        if (isBlank(method)) {
            throw invalidArgument(
                'cmd',
                'command-method',
                `command ${position} has no method: use {method, params}`,
                {
                    index: position,
                },
            );
        }
        const command: BatchCommand = { method: normalizeMethod(method), params: paramsOrNone(item.params) };
        if (typeof item.key === 'string' && item.key) command.key = item.key;
        return command;
    });
}

/** No method given: undefined, null or blank text. */
export function isBlank(method: unknown): boolean {
    return method === undefined || method === null || (typeof method === 'string' && method.trim() === '');
}
