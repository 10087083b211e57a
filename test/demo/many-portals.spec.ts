import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { childrenOf, isRunning, killAll } from '../helpers/child-processes';
import { until } from '../helpers/emulator-flow';

const ROOT = path.resolve(__dirname, '..', '..');
const PORTALS = 20;

interface Counters {
    rowsCleared: number;
    rowsInserted: number;
    status503: number;
}

interface FarmListing {
    portals: { index: number; portalUrl: string; memberId: string }[];
}

describe('npm start -- --portals 20 (the many-portals demo)', function () {
    this.timeout(180_000);
    let demo: ChildProcess | undefined;
    let userDir = '';
    let descendants: number[] = [];
    let output = '';

    before(async () => {
        userDir = await fs.mkdtemp(path.join(os.tmpdir(), 'b24-demo-portals-'));
    });

    after(async () => {
        if (demo && demo.exitCode === null && demo.signalCode === null) {
            descendants = [...descendants, ...childrenOf(demo.pid ?? 0)];
            demo.kill('SIGKILL');
        }
        killAll(descendants);
        await fs.rm(userDir, { recursive: true, force: true });
    });

    it('installs the application on 20 portals, delivers and clears changes from at least two of them, and stops on Ctrl-C', async () => {
        demo = spawn(
            process.execPath,
            [
                path.join(ROOT, 'dist/demo/start.js'),
                '--port',
                '0',
                '--user-dir',
                userDir,
                '--portals',
                String(PORTALS),
            ],
            { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        const exited = new Promise<number | null>((resolve) => demo?.once('exit', (code) => resolve(code)));
        demo.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        demo.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        const printed = (label: string) => new RegExp(`^${label}:\\s+(\\S+)`, 'm').exec(output)?.[1];
        await until(
            () => printed('Node-RED editor') !== undefined || demo?.exitCode !== null,
            120_000,
            'the editor URL',
        );
        const editorUrl = printed('Node-RED editor')?.replace(/\/$/, '');
        const farmUrl = printed('Farm control');
        assert.ok(editorUrl && farmUrl, `the demo printed no URLs:\n${output}`);
        descendants = childrenOf(demo.pid ?? 0);
        assert.equal(descendants.length, 1, 'the demo runs one child, Node-RED');

        // Every portal installed the application through the install URL.
        const { portals } = (await (await fetch(farmUrl)).json()) as FarmListing;
        assert.equal(portals.length, PORTALS);
        const listing = (await (await fetch(`${editorUrl}/bitrix24/portal/app/installations`)).json()) as {
            installations: { memberId: string; status: string }[];
        };
        assert.deepEqual(
            listing.installations.map((one) => one.memberId).sort(),
            portals.map((portal) => portal.memberId).sort(),
        );

        // Changes made on the portals are cleared on their own portals, at least two of them.
        const counters = async (portalUrl: string) =>
            (await (await fetch(`${portalUrl}/_emulator/counters`)).json()) as Counters;
        const clearedOn = async () => {
            const all = await Promise.all(portals.map((portal) => counters(portal.portalUrl)));
            return all.filter((one) => one.rowsCleared > 0).length;
        };
        await until(async () => (await clearedOn()) >= 2, 90_000, 'rows cleared on two portals');
        const all = await Promise.all(portals.map((portal) => counters(portal.portalUrl)));
        assert.equal(
            all.reduce((total, one) => total + one.status503, 0),
            0,
            'every portal stays within its limits',
        );
        console.log(
            `      ${all.filter((one) => one.rowsCleared > 0).length} of ${PORTALS} portals had rows cleared; ` +
                `${all.reduce((total, one) => total + one.rowsCleared, 0)} rows in all`,
        );

        demo.kill('SIGINT');
        assert.equal(await exited, 0, `the demo exited with an error:\n${output}`);
        for (const pid of descendants) assert.equal(isRunning(pid), false, `process ${pid} still runs`);
        await assert.rejects(fetch(`${editorUrl}/settings`), 'Node-RED no longer listens');
        await assert.rejects(fetch(farmUrl), 'the farm no longer listens');
    });
});
