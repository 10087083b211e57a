import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { NodeRedProcess } from '../../dist/demo/node-red-process';
import type { Emulator } from '../../dist/emulator';

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
