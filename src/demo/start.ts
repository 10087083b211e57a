// `npm start`: a local Bitrix24 (the emulator, rate limits on), a Node-RED with this package and
// example 01 deployed against it, and a change generator making deal updates. Ctrl-C stops it all.
import { createWriteStream, promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { startDemoEmulator } from './demo-emulator';
import { DEMO_EXAMPLE, demoFlow } from './demo-flow';
import { freePort, NodeRedProcess } from './node-red-process';
import { startSink } from './sink-server';
import { Shutdown } from './shutdown';

const ROOT = path.resolve(__dirname, '..', '..');
const USER_DIR = path.join(ROOT, '.node-red-demo');
const DEALS = 200;
const CHANGES_PER_SECOND = 10;
const POLL_SECONDS = 5;

async function main(shutdown: Shutdown): Promise<void> {
    const port = await choosePort(requestedPort(process.argv.slice(2)));
    // A fresh user directory each time: the emulator's tokens and queue are new on every start.
    await fs.rm(USER_DIR, { recursive: true, force: true });
    await fs.mkdir(USER_DIR, { recursive: true });

    const emulator = await startDemoEmulator();
    shutdown.add(() => emulator.stop());
    const sink = await startSink();
    shutdown.add(() => sink.stop());

    const log = createWriteStream(path.join(USER_DIR, 'node-red.log'));
    shutdown.add(() => new Promise<void>((resolve) => log.end(resolve)));
    const nodeRed = await NodeRedProcess.start({
        userDir: USER_DIR,
        packageDir: ROOT,
        port,
        onLine: (line) => {
            log.write(line + '\n');
            if (/\[(warn|error)\]/.test(line)) console.log(`node-red: ${line}`);
        },
    });
    shutdown.add(() => nodeRed.stop());
    void nodeRed.exited.then((code) => {
        if (shutdown.started) return;
        console.error(
            `Node-RED exited (code ${code}); its log is in ${path.relative(ROOT, USER_DIR)}/node-red.log`,
        );
        void shutdown.run(1);
    });
    if (shutdown.started) return;

    await nodeRed.deploy(
        demoFlow(path.join(ROOT, 'examples'), {
            portalUrl: emulator.portalUrl,
            oauthServer: emulator.oauthServer,
            credentials: {
                clientId: emulator.app.clientId,
                clientSecret: emulator.app.clientSecret,
                accessToken: emulator.app.accessToken,
                refreshToken: emulator.app.refreshToken,
                applicationToken: emulator.app.applicationToken,
            },
            sinkUrl: sink.url,
            pollSeconds: POLL_SECONDS,
        }),
    );
    emulator.control.startGenerator({ entity: 'deal', objects: DEALS, changesPerSecond: CHANGES_PER_SECOND });

    console.log(`Bitrix24 emulator: ${emulator.portalUrl} (standard plan, rate limits on)`);
    console.log(`Node-RED editor:   ${nodeRed.url}/`);
    console.log(
        `Example ${DEMO_EXAMPLE} is deployed; ${CHANGES_PER_SECOND} deal updates a second arrive in the offline queue.\n` +
            `Watch the badges: "offline get" shows draining <cleared>/<read> every ${POLL_SECONDS} s, ` +
            `"offline clear" counts the events synced to the local endpoint.\n` +
            `Ctrl-C stops everything.`,
    );
}

function requestedPort(args: string[]): number {
    const index = args.indexOf('--port');
    if (index < 0) return 1880;
    const port = Number(args[index + 1]);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error('--port needs a number, 0 for any free port');
    return port;
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
