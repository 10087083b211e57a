import { errorFromBody, isObject, type RestResponse } from './envelope';
import { Bitrix24Error, invalidArgument, LocalCode } from './errors';
import { normalizeMethod, canRunInBatch } from './methods';
import { encodeQuery } from './query-string';

/** Commands per `batch` request; commands past it are not run (docs/bitrix24.md §10). */
export const BATCH_LIMIT = 50;

export interface BatchCommand {
    method: string;
    params?: Record<string, unknown>;
    /** Name for `$result[<key>]` references; defaults to the command's position. */
    key?: string;
}

export interface BatchItem<T = unknown> {
    key: string;
    method: string;
    /** The reply of this command; absent when it failed. */
    response?: RestResponse<T>;
    error?: Bitrix24Error;
}

/** Command strings `method?query` keyed as given (docs/bitrix24.md §10: parsed with parse_str). */
export function encodeCommands(
    commands: readonly BatchCommand[],
    keys: readonly string[],
): Record<string, string> {
    const cmd: Record<string, string> = {};
    commands.forEach((command, i) => {
        const query = encodeQuery(command.params ?? {});
        cmd[keys[i]] = query ? `${command.method}?${query}` : command.method;
    });
    return cmd;
}

/** Checks commands before anything is sent, and names them. */
export function prepareCommands(commands: readonly BatchCommand[]): {
    commands: BatchCommand[];
    keys: string[];
} {
    const keys: string[] = [];
    const prepared = commands.map((command, i) => {
        const method = normalizeMethod(command.method);
        if (!canRunInBatch(method)) {
            throw invalidArgument('method', 'batch-method', `${method} cannot run inside a batch`, {
                method,
            });
        }
        if (command.params !== undefined && !isObject(command.params)) {
            throw invalidArgument(
                'params',
                'params-not-object',
                `the params of command ${i + 1} (${method}) must be an object`,
                { method },
            );
        }
        keys.push(command.key ?? `c${i}`);
        return { ...command, method };
    });
    if (new Set(keys).size !== keys.length) {
        throw invalidArgument('cmd', 'batch-keys', 'every batch command needs its own key');
    }
    return { commands: prepared, keys };
}

/**
 * Splits the `batch` reply into one item per command, in the order given. Sections may come
 * back as `[]` when empty, or as arrays for numeric keys (docs/bitrix24.md §10).
 */
export function splitBatchReply(
    commands: readonly BatchCommand[],
    keys: readonly string[],
    reply: unknown,
): BatchItem[] {
    const body = isObject(reply) ? reply : {};
    const section = (name: string) => asRecord(body[name]);
    const results = section('result');
    const errors = section('result_error');
    const totals = section('result_total');
    const nexts = section('result_next');
    const times = section('result_time');
    return commands.map((command, i) => {
        const key = keys[i];
        const error = errors[key];
        if (isObject(error)) {
            return { key, method: command.method, error: errorFromBody(command.method, undefined, error) };
        }
        if (!(key in results)) {
            return {
                key,
                method: command.method,
                error: new Bitrix24Error({
                    code: LocalCode.BadResponse,
                    method: command.method,
                    description: 'the batch reply has no result for this command (a halt before it?)',
                }),
            };
        }
        const response: RestResponse = { result: results[key] };
        if (typeof totals[key] === 'number') response.total = totals[key];
        if (typeof nexts[key] === 'number') response.next = nexts[key];
        if (isObject(times[key])) response.time = times[key];
        return { key, method: command.method, response };
    });
}

function asRecord(value: unknown): Record<string, unknown> {
    if (Array.isArray(value)) return Object.fromEntries(value.map((v, i) => [String(i), v as unknown]));
    return isObject(value) ? value : {};
}
