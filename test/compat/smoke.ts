// A real Node-RED of another version (and Node.js, whichever runs this script) with the package
// linked in: all ten types load, and example 01 drains the emulator's queue. Usage:
//   tsx test/compat/smoke.ts <node-red package folder>
// Prints one line; exits 1 on a failure.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { startDemoEmulator } from '../../src/demo/demo-emulator';
import { appCredentials, demoFlow } from '../../src/demo/demo-flow';
import { startSink } from '../../src/demo/sink-server';
import { startRuntime } from '../helpers/node-red-runtime';

const ROOT = path.resolve(__dirname, '..', '..');

async function smoke(nodeRedDir: string): Promise<string> {
    const expected = Object.keys(
        (
            JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
                'node-red': { nodes: object };
            }
        )['node-red'].nodes,
    );
    const emulator = await startDemoEmulator();
    const sink = await startSink();
    let stopNodeRed: (() => Promise<void>) | undefined;
    try {
        const started = await startRuntime({}, { nodeRedDir });
        const nodeRed = started.runtime;
        stopNodeRed = started.stop;
        const { version } = (await (await fetch(`${nodeRed.url}/settings`)).json()) as { version: string };
        const loaded = (await nodeRed.nodeTypes()).filter((node) => expected.includes(node.type));
        const broken = loaded
            .filter((node) => !node.enabled || node.err)
            .map((node) => `${node.type}: ${node.err}`);
        if (loaded.length !== expected.length || broken.length > 0) {
            throw new Error(
                `Node-RED ${version} loaded ${loaded.length} of ${expected.length} types. ${broken.join('; ')}`,
            );
        }
        await nodeRed.deploy(
            demoFlow(path.join(ROOT, 'examples'), {
                portalUrl: emulator.portalUrl,
                oauthServer: emulator.oauthServer,
                credentials: appCredentials(emulator.app),
                sinkUrl: sink.url,
                pollSeconds: 1,
            }),
        );
        emulator.control.startGenerator({ entity: 'deal', objects: 20, changesPerSecond: 20, count: 100 });
        const deadline = Date.now() + 60_000;
        while (emulator.control.counters().rowsCleared === 0 || sink.received() === 0) {
            if (Date.now() > deadline)
                throw new Error(`Node-RED ${version}: example 01 cleared nothing in 60 s`);
            await new Promise((resolve) => setTimeout(resolve, 200));
        }
        const { rowsCleared } = emulator.control.counters();
        return `the running ${version} loaded ${loaded.length} types, example 01 cleared ${rowsCleared} rows`;
    } finally {
        await stopNodeRed?.();
        await sink.stop();
        await emulator.stop();
    }
}

smoke(path.resolve(process.argv[2] ?? '')).then(
    (line) => console.log(`smoke ok: ${line}`),
    (error: unknown) => {
        console.log(`smoke FAILED: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
    },
);
