import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { NodeRedProcess, type NodeRedProcessOptions } from '../../dist/demo/node-red-process';

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
