import type { EventEmitter } from 'node:events';

import type { NodeMessage } from 'node-red';

/**
 * Waiting for what a node does in a flow loaded with the test helper. The helper spies on
 * `Node.prototype` and emits `call:<method>` for each call (reference node-red.md §5.1), so
 * `done(err)` shows up as `call:error` with the error and the msg.
 */

/** A node (an EventEmitter at runtime, whatever its typings say). */
type Emitter = object;

/** The next msg a (helper) node receives. */
export function nextMessage(node: Emitter, timeoutMs = 5000): Promise<NodeMessage> {
    return nextEvent(node, 'input', timeoutMs, (msg: NodeMessage) => msg);
}

/** The next error a node reports, with the msg it came with (absent for a log-only error). */
export function nextError(
    node: Emitter,
    timeoutMs = 5000,
): Promise<{ error: Error & { code?: string }; msg?: NodeMessage }> {
    return nextEvent(node, 'call:error', timeoutMs, (call: { args: unknown[] }) => {
        const [error, msg] = call.args as [unknown, NodeMessage | undefined];
        return { error: error instanceof Error ? error : new Error(String(error)), msg };
    });
}

/** The next warning a node logs. */
export function nextWarning(node: Emitter, timeoutMs = 5000): Promise<string> {
    return nextEvent(node, 'call:warn', timeoutMs, (call: { args: unknown[] }) => String(call.args[0]));
}

/** Every msg a node receives, as they come. */
export function collect(node: Emitter): NodeMessage[] {
    const messages: NodeMessage[] = [];
    (node as EventEmitter).on('input', (msg: NodeMessage) => messages.push(msg));
    return messages;
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it holds, or fails after `timeoutMs`. */
export async function until(
    check: () => boolean | Promise<boolean>,
    timeoutMs = 5000,
    what = 'condition',
): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(10);
    }
}

function nextEvent<V, T>(node: Emitter, event: string, timeoutMs: number, map: (value: V) => T): Promise<T> {
    const emitter = node as EventEmitter;
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            emitter.removeListener(event, listener);
            reject(new Error(`no ${event} within ${timeoutMs} ms`));
        }, timeoutMs);
        const listener = (value: V) => {
            clearTimeout(timer);
            emitter.removeListener(event, listener);
            resolve(map(value));
        };
        emitter.on(event, listener);
    });
}
