// `npm start`: a local Bitrix24 (the emulator, rate limits on), a Node-RED with this package and
// example 01 deployed against it, and a change generator making deal updates. Ctrl-C stops it all.
// `npm start -- --portals N`: one application on N emulated portals instead (many-portals.ts).
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { startDemoEmulator } from './demo-emulator';
import { appCredentials, DEMO_EXAMPLE, demoFlow } from './demo-flow';
import { PACKAGE_ROOT as ROOT, startDemoNodeRed } from './demo-node-red';
import { startManyPortals } from './many-portals';
import { freePort } from './node-red-process';
import { startSink } from './sink-server';
import { Shutdown } from './shutdown';

/** Ignored by git; `--user-dir` chooses another (the demo's test uses a temporary one). */
const USER_DIR = path.join(ROOT, '.node-red-demo');
const DEALS = 200;
const CHANGES_PER_SECOND = 10;
const POLL_SECONDS = 5;

async function main(shutdown: Shutdown): Promise<void> {
    const args = parseArgs(process.argv.slice(2));
    const port = await choosePort(args.port);
    const userDir = args.userDir;
    // A fresh user directory each time: the emulator's tokens and queue are new on every start.
    await fs.rm(userDir, { recursive: true, force: true });
    await fs.mkdir(userDir, { recursive: true });
    if (args.portals > 0) {
        await startManyPortals(shutdown, { portals: args.portals, port, userDir });
        return;
    }

    const emulator = await startDemoEmulator();
    shutdown.add(() => emulator.stop());
    const sink = await startSink();
    shutdown.add(() => sink.stop());

    // Node-RED's own start-up warnings (projects off, a new credentials file) are expected here.
    const { nodeRed, deployed } = await startDemoNodeRed(shutdown, userDir, port);
    if (shutdown.started) return;

    await nodeRed.deploy(
        demoFlow(path.join(ROOT, 'examples'), {
            portalUrl: emulator.portalUrl,
            oauthServer: emulator.oauthServer,
            credentials: appCredentials(emulator.app),
            sinkUrl: sink.url,
            pollSeconds: POLL_SECONDS,
        }),
    );
    deployed();
    emulator.control.startGenerator({ entity: 'deal', objects: DEALS, changesPerSecond: CHANGES_PER_SECOND });

    console.log(`Bitrix24 emulator: ${emulator.portalUrl} (standard plan, rate limits on)`);
    console.log(`Node-RED editor:   ${nodeRed.url}/`);
    console.log(
        `Example ${DEMO_EXAMPLE} is deployed and ${CHANGES_PER_SECOND} deal updates a second reach the offline queue.\n` +
            `In the editor, "offline get" reads the queue every ${POLL_SECONDS} s and the badge under ` +
            `"offline clear" counts the changes synced to a local endpoint.\nCtrl-C stops everything.`,
    );
}

/**
 * `[--port N] [--user-dir DIR] [--portals N]`; port 1880 unless told, 0 for any free port;
 * portals 0 (default): the single-portal demo.
 */
function parseArgs(args: string[]): { port: number; userDir: string; portals: number } {
    const parsed = { port: 1880, userDir: USER_DIR, portals: 0 };
    for (let i = 0; i < args.length; i += 2) {
        const [flag, value] = [args[i], args[i + 1] ?? ''];
        if (flag === '--port' && /^\d+$/.test(value) && Number(value) <= 65535) parsed.port = Number(value);
        else if (flag === '--user-dir' && value) parsed.userDir = path.resolve(value);
        else if (flag === '--portals' && /^\d+$/.test(value) && Number(value) <= 1000)
            parsed.portals = Number(value);
        else
            throw new Error(
                'usage: node dist/demo/start.js [--port N] [--user-dir DIR] [--portals N (up to 1000)]',
            );
    }
    return parsed;
}

/** The requested port, or any free one when it is 0 or taken (another Node-RED on 1880). */
async function choosePort(port: number): Promise<number> {
    if (port === 0 || !(await isFree(port))) return freePort();
    return port;
}

function isFree(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const server = net.createServer();
        server.once('error', () => resolve(false));
        server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
}

const shutdown = new Shutdown();
process.once('SIGINT', () => void shutdown.run(0));
process.once('SIGTERM', () => void shutdown.run(0));
const startup = main(shutdown);
shutdown.starting(startup);
startup.catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    void shutdown.run(1);
});
