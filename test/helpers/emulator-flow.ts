import path from 'node:path';

import type { NodeAPI } from 'node-red';
import helper from 'node-red-node-test-helper';

import { bindOffline, restCall, type RestAnswer } from '../../dist/demo/demo-emulator';
import { appCredentials } from '../../dist/demo/demo-flow';
import { portalNode, UNPACED } from '../../dist/demo/portal-node';
import { startEmulator, timingFromEnv, type Emulator, type EmulatorOptions } from '../../dist/emulator';
import { helperUserDir } from './fake-portal-flow';
import { serveHttpNode } from './node-flow';

import { until } from '../../dist/demo/wait';

export { until };

/**
 * startEmulator with the portal's real timing when the test run sets it (B24_EMULATOR_ROW_DELAY_MS,
 * B24_EMULATOR_RING_DELAY_MS, B24_EMULATOR_RING_JITTER_MS): CI runs the node tests once so.
 */
export function startTimedEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
    return startEmulator({ ...timingFromEnv(), ...options });
}

/**
 * Resolves once the portal has written `count` offline rows (new, or merged into a waiting one)
 * since its counters were last reset. The portal writes them in a background step after its
 * answer (docs/bitrix24.md §15.2): a test that changes data and then reads the queue waits here.
 */
export function rowsQueued(emulator: Emulator, count: number, ms = 20_000): Promise<void> {
    return until(() => emulator.control.counters().rowsQueued >= count, ms, `${count} offline rows written`);
}

/**
 * Deals a user adds (each raises ONCRMDEALADD, queued where that event is bound offline), awaited
 * until their rows are written: the portal writes them just after its answer (docs/bitrix24.md §15.2).
 */
export async function addDeals(emulator: Emulator, count: number): Promise<void> {
    const before = emulator.control.counters().rowsQueued;
    for (let i = 0; i < count; i++) {
        emulator.control.userChange({ entity: 'deal', action: 'add', fields: { title: `Deal ${i}` } });
    }
    await rowsQueued(emulator, before + count);
}

/**
 * What a node test against the emulator needs: a running emulator whose preinstalled app is
 * bound to deal events offline, a user directory, and the portal config node for a flow.
 */
export interface Bench {
    emulator: Emulator;
    userDir: string;
    /** The portal config node and its credentials, for helper.load. */
    portal(extra?: Record<string, unknown>): {
        node: Record<string, unknown> & { id: string; type: string };
        credentials: Record<string, string>;
    };
    rest<T = unknown>(method: string, params?: Record<string, unknown>): Promise<RestAnswer<T>>;
    /** Unloads the flow, stops the emulator and removes the user directory. */
    stop(): Promise<void>;
}

/** The deal events a bench binds offline unless told otherwise. */
export const DEAL_EVENTS = ['ONCRMDEALADD', 'ONCRMDEALUPDATE', 'ONCRMDEALDELETE'];

export async function startBench(options: EmulatorOptions = {}, events = DEAL_EVENTS): Promise<Bench> {
    const emulator = await startTimedEmulator(options);
    const userDir = await helperUserDir();
    const rest = <T>(method: string, params: Record<string, unknown> = {}) =>
        restCall<T>(emulator, method, params);
    for (const event of events) await bindOffline(emulator, event);
    return {
        emulator,
        userDir: userDir.path,
        rest,
        portal: (extra = {}) => ({
            node: portalNode(emulator, { ...UNPACED, ...extra }),
            credentials: { ...appCredentials(emulator.app) },
        }),
        stop: async () => {
            await helper.unload();
            await emulator.stop();
            await userDir.remove();
        },
    };
}

/** A bench whose runtime serves its httpNode on a real port, where the emulator's event server rings. */
export interface ServedBench extends Bench {
    /** Where the runtime's httpNode routes are served: the trigger node's public URL. */
    publicUrl: string;
}

/**
 * startBench binding `events` (none unless told), and the httpNode of the runtime `red` captured
 * served on a real port; `stop` also closes that server.
 */
export async function startServedBench(
    red: { readonly red: NodeAPI },
    events: string[] = [],
): Promise<ServedBench> {
    const bench = await startBench({}, events);
    const server = await serveHttpNode((req, res) => {
        red.red.httpNode(req, res);
    });
    return {
        ...bench,
        publicUrl: server.url,
        stop: async () => {
            await server.close();
            await bench.stop();
        },
    };
}

/**
 * Mocha hooks for a describe block against the emulator: a bench (binding `events`, none unless
 * told) started before each test and handed to `use`, stopped after it.
 */
export function useBench(use: (bench: Bench) => void, events: string[] = []): void {
    let bench: Bench | undefined;
    beforeEach(async () => {
        bench = await startBench({}, events);
        use(bench);
    });
    afterEach(() => bench?.stop());
}

/** useBench with the runtime `red`'s httpNode served on a real port (startServedBench). */
export function useServedBench(red: { readonly red: NodeAPI }, use: (bench: ServedBench) => void): void {
    let bench: ServedBench | undefined;
    beforeEach(async () => {
        bench = await startServedBench(red);
        use(bench);
    });
    afterEach(() => bench?.stop());
}

/** A core node module of the Node-RED under test (NODE_RED_PATH in compatibility runs). */
export function coreNode(file: string): (red: NodeAPI) => void {
    const base = path.dirname(require.resolve(`${process.env.NODE_RED_PATH ?? 'node-red'}/package.json`));
    const nodesDir = path.dirname(require.resolve('@node-red/nodes/package.json', { paths: [base] }));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- core nodes are CommonJS modules found at run time
    return require(path.join(nodesDir, 'core', file)) as (red: NodeAPI) => void;
}

/** Collects every msg a helper node receives. */
export function collect(id: string): Record<string, unknown>[] {
    const msgs: Record<string, unknown>[] = [];
    helper.getNode(id).on('input', (msg: Record<string, unknown>) => msgs.push(msg));
    return msgs;
}
