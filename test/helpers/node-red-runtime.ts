import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { NodeRedProcess, type NodeRedProcessOptions } from '../../dist/demo/node-red-process';
import { emulatorPortalNode } from '../../dist/demo/portal-node';
import { startEmulator, type Emulator } from '../../dist/emulator';

/** This package's folder: the real runtime loads it from dist/ as users' runtimes do. */
export const PACKAGE_DIR = path.resolve(__dirname, '../..');

/**
 * A real Node-RED process with this package, on a fresh user directory; `stop` ends it and
 * removes the directory.
 */
export async function startRuntime(
    settings: Record<string, unknown> = {},
    options: Omit<NodeRedProcessOptions, 'userDir' | 'packageDir' | 'settings'> = {},
): Promise<{
    runtime: NodeRedProcess;
    userDir: string;
    stop: () => Promise<void>;
}> {
    const userDir = await fs.mkdtemp(path.join(os.tmpdir(), 'b24-runtime-'));
    try {
        const runtime = await NodeRedProcess.start({
            ...options,
            userDir,
            packageDir: PACKAGE_DIR,
            settings,
        });
        return {
            runtime,
            userDir,
            stop: async () => {
                await runtime.stop();
                await fs.rm(userDir, { recursive: true, force: true });
            },
        };
    } catch (err) {
        await fs.rm(userDir, { recursive: true, force: true });
        throw err;
    }
}

/** What `useRuntimeOnEmulator` gives a describe block. */
export interface RuntimeOnEmulator {
    /** The emulator of the running test. */
    readonly emulator: Emulator;
    /** Starts a real Node-RED with `settings`; the test's end stops it. */
    start(settings?: Record<string, unknown>): ReturnType<typeof startRuntime>;
}

/**
 * Mocha hooks for specs that run a real Node-RED against the emulator: a fresh emulator for each
 * test, and the runtime a test started stopped after it.
 */
export function useRuntimeOnEmulator(): RuntimeOnEmulator {
    let emulator: Emulator | undefined;
    let stopRuntime: (() => Promise<void>) | undefined;
    beforeEach(async () => {
        emulator = await startEmulator();
    });
    afterEach(async () => {
        await stopRuntime?.();
        stopRuntime = undefined;
        await emulator?.stop();
    });
    return {
        get emulator() {
            if (!emulator) throw new Error('the emulator starts in beforeEach');
            return emulator;
        },
        async start(settings = {}) {
            const started = await startRuntime(settings);
            stopRuntime = started.stop;
            return started;
        },
    };
}

/**
 * A flow for a real runtime on the emulator: the portal node and an inject `go` whose press makes
 * one REST call (`profile`), for example to have an expired access token refreshed.
 */
export function profileCallFlow(emulator: Emulator, tabLabel: string): Record<string, unknown>[] {
    return [
        emulatorPortalNode(emulator),
        { id: 'tab', type: 'tab', label: tabLabel },
        {
            id: 'go',
            z: 'tab',
            type: 'inject',
            props: [{ p: 'payload' }],
            payload: '{}',
            payloadType: 'json',
            wires: [['call']],
        },
        { id: 'call', z: 'tab', type: 'bitrix24-call', portal: 'portal', method: 'profile', wires: [[]] },
    ];
}
