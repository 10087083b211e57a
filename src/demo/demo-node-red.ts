import { createWriteStream } from 'node:fs';
import path from 'node:path';

import { NodeRedProcess } from './node-red-process';
import type { Shutdown } from './shutdown';

/** The package's own folder, which the demo's Node-RED loads. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

/**
 * The demo's Node-RED on `port` in `userDir`, its log in `<userDir>/node-red.log`, stopped by
 * `shutdown`; a Node-RED that exits by itself stops the demo. Warnings and errors after
 * `deployed()` is called are printed too (the start-up's own ones are expected).
 */
export async function startDemoNodeRed(
    shutdown: Shutdown,
    userDir: string,
    port: number,
): Promise<{ nodeRed: NodeRedProcess; deployed: () => void }> {
    let deployed = false;
    const log = createWriteStream(path.join(userDir, 'node-red.log'));
    shutdown.add(() => new Promise<void>((resolve) => log.end(resolve)));
    const nodeRed = await NodeRedProcess.start({
        userDir,
        packageDir: PACKAGE_ROOT,
        port,
        onLine: (line) => {
            log.write(line + '\n');
            if (deployed && /\[(warn|error)\]/.test(line)) console.log(`node-red: ${line}`);
        },
    });
    shutdown.add(() => nodeRed.stop());
    void nodeRed.exited.then((code) => {
        if (shutdown.started) return;
        console.error(`Node-RED exited (code ${code}); its log is ${path.join(userDir, 'node-red.log')}`);
        void shutdown.run(1);
    });
    return { nodeRed, deployed: () => (deployed = true) };
}
