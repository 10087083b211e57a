import type { EventEmitter } from 'node:events';
import http from 'node:http';

import type { NodeMessage } from 'node-red';
import type { SinonSpy } from 'sinon';

import { listenLocally, type LocalServer } from '../../dist/demo/local-server';
import { CONTRACT } from '../editor/editor-files';

export { sleep } from '../../dist/demo/wait';

/**
 * Waiting for what a node does in a flow loaded with the test helper (flows against the emulator:
 * see emulator-flow.ts). The helper spies on
 * `Node.prototype` and emits `call:<method>` for each call (docs/node-red.md §5.1), so
 * `done(err)` shows up as `call:error` with the error and the msg.
 */

/** A node of a test flow. */
export type FlowNode = { id: string; type: string } & Record<string, unknown>;

/** An inject node `id` on tab `z` whose button sends a timestamp to `target`. */
export function injectNode(id: string, z: string, target: string): FlowNode {
    return {
        id,
        z,
        type: 'inject',
        props: [{ p: 'payload' }],
        payload: '',
        payloadType: 'date',
        repeat: '',
        once: false,
        wires: [[target]],
    };
}

/**
 * An offline-get node with the settings the editor gives a new one, on the portal node 'portal',
 * reading batches; `extra` adds or replaces settings (output, wires...).
 */
export function offlineGetNode(extra: Record<string, unknown> = {}): FlowNode {
    return {
        ...CONTRACT['bitrix24-offline-get'],
        id: 'get',
        type: 'bitrix24-offline-get',
        portal: 'portal',
        ...extra,
    };
}

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

/** Serves the runtime's `RED.httpNode` on a real port, as Node-RED does, so the emulator can ring it. */
export function serveHttpNode(app: http.RequestListener): Promise<LocalServer> {
    return listenLocally(http.createServer(app));
}

/** The test helper's sinon spies on a node's status, error and warn. */
export function spies(node: object): { status: SinonSpy; error: SinonSpy; warn: SinonSpy } {
    return node as unknown as { status: SinonSpy; error: SinonSpy; warn: SinonSpy };
}

/** The text of a node's last status. */
export function lastStatus(node: object): { text?: string; fill?: string; shape?: string } {
    const status: unknown = spies(node).status.lastCall?.args[0];
    return typeof status === 'object' && status !== null ? status : {};
}
