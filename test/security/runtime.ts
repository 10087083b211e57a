import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { NodeRedProcess } from '../../dist/demo/node-red-process';
import type { Emulator } from '../../dist/emulator';
import { until } from '../helpers/emulator-flow';

/** This package's folder: the real runtime loads it from dist/ as users' runtimes do. */
const PACKAGE_DIR = path.resolve(__dirname, '../..');

/** A real Node-RED process on a fresh user directory; `stop` ends it and removes the directory. */
export async function startRuntime(settings: Record<string, unknown>): Promise<{
    runtime: NodeRedProcess;
    userDir: string;
    stop: () => Promise<void>;
}> {
    const userDir = await fs.mkdtemp(path.join(os.tmpdir(), 'b24-runtime-'));
    try {
        const runtime = await NodeRedProcess.start({ userDir, packageDir: PACKAGE_DIR, settings });
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

/** The portal config node of a deployed flow, pointing at the emulator. */
export function portalNode(emulator: Emulator, credentials: Record<string, string>): Record<string, unknown> {
    return {
        id: 'portal',
        type: 'bitrix24-portal',
        portalUrl: emulator.portalUrl,
        authType: 'oauth',
        oauthServer: emulator.oauthServer,
        rateLimit: 'custom',
        burst: 100,
        rps: 100,
        credentials,
    };
}

/** POST /flows with an editor token when adminAuth is on (NodeRedProcess.deploy sends none). */
export async function deployAs(runtime: NodeRedProcess, token: string, flows: Record<string, unknown>[]) {
    const response = await fetch(`${runtime.url}/flows`, {
        method: 'POST',
        headers: {
            Authorization: `Bearer ${token}`,
            'Content-Type': 'application/json',
            'Node-RED-Deployment-Type': 'full',
            'Node-RED-API-Version': 'v2',
        },
        body: JSON.stringify({ flows }),
    });
    if (!response.ok) throw new Error(`deploy failed: HTTP ${response.status} ${await response.text()}`);
}

/** Deploys and waits until the runtime has started the new flows (the deploy answers before that). */
export async function deployStarted(
    runtime: NodeRedProcess,
    flows: Record<string, unknown>[],
    token?: string,
): Promise<void> {
    const from = runtime.lines.length;
    if (token) await deployAs(runtime, token, flows);
    else await runtime.deploy(flows);
    // A full deploy stops the running flows first, so the 'Started flows' after 'Stopped flows' is
    // this deploy's: the start-up's own line may still be on its way through the pipe.
    const started = () => {
        const lines = runtime.lines.slice(from);
        const stopped = lines.findIndex((line) => line.includes('Stopped flows'));
        return stopped !== -1 && lines.slice(stopped).some((line) => line.includes('Started flows'));
    };
    await until(started, 20_000, 'the flows to start');
}
