import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { childrenOf, isRunning, killAll } from '../helpers/child-processes';
import { until } from '../helpers/emulator-flow';
import { NodeRedComms } from '../helpers/node-red-comms';

const ROOT = path.resolve(__dirname, '..', '..');

interface Counters {
    rowsCleared: number;
    rowsInserted: number;
    status503: number;
}

describe('npm start (the demo)', function () {
    this.timeout(180_000);
    let demo: ChildProcess | undefined;
    let userDir = '';
    let comms: NodeRedComms | undefined;
    let descendants: number[] = [];
    let output = '';

    before(async () => {
        userDir = await fs.mkdtemp(path.join(os.tmpdir(), 'b24-demo-'));
    });

    after(async () => {
        await comms?.close();
        if (demo && demo.exitCode === null && demo.signalCode === null) {
            descendants = [...descendants, ...childrenOf(demo.pid ?? 0)];
            demo.kill('SIGKILL');
        }
        killAll(descendants);
        await fs.rm(userDir, { recursive: true, force: true });
    });

    it('syncs deal updates from the emulator through example 01, shows it on the badges, and stops on Ctrl-C', async () => {
        const started = Date.now();
        demo = spawn(
            process.execPath,
            [path.join(ROOT, 'dist/demo/start.js'), '--port', '0', '--user-dir', userDir],
            {
                stdio: ['ignore', 'pipe', 'pipe'],
            },
        );
        const exited = new Promise<number | null>((resolve) => demo?.once('exit', (code) => resolve(code)));
        demo.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        demo.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        const printed = (label: string) => new RegExp(`^${label}:\\s+(\\S+)`, 'm').exec(output)?.[1];
        await until(
            () => printed('Node-RED editor') !== undefined || demo?.exitCode !== null,
            90_000,
            'the editor URL',
        );
        const editorUrl = printed('Node-RED editor')?.replace(/\/$/, '');
        const portalUrl = printed('Bitrix24 emulator');
        assert.ok(editorUrl && portalUrl, `the demo printed no URLs:\n${output}`);
        descendants = childrenOf(demo.pid ?? 0);
        assert.equal(descendants.length, 1, 'the demo runs one child, Node-RED');

        // What was deployed: example 01 against the emulator, with its credentials in Node-RED.
        const flows = (await (await fetch(`${editorUrl}/flows`)).json()) as Record<string, unknown>[];
        const byType = (type: string) => flows.filter((node) => node.type === type);
        assert.equal(byType('bitrix24-offline-get').length, 1);
        const [portal] = byType('bitrix24-portal');
        assert.equal(portal.portalUrl, portalUrl);
        assert.match(
            String(byType('http request')[0].url),
            /^http:\/\/127\.0\.0\.1:\d+\//,
            'posts to the local sink',
        );
        const get = byType('bitrix24-offline-get')[0].id as string;
        const clear = byType('bitrix24-offline-clear')[0].id as string;

        // What a person sees: the clear badge counting, the get badge draining.
        comms = await NodeRedComms.connect(editorUrl);
        const clearedCount = () =>
            Number(/cleared (\d+)/.exec(comms?.statuses.get(clear)?.text ?? '')?.[1] ?? 0);
        await until(() => clearedCount() > 0, 120_000, 'the clear badge to count');
        const firstBadge = Date.now();
        await until(
            // "reading" travels as its catalog key, which the editor translates.
            () =>
                (comms?.history.get(get) ?? []).filter(
                    (text) => text === 'bitrix24-offline-get.status.reading',
                ).length >= 2,
            60_000,
            'the get badge to show a second read',
        );
        const firstCount = clearedCount();
        await until(() => clearedCount() > firstCount, 60_000, 'the clear badge to count more');

        // What the emulator saw: rows queued by the generator and cleared by the flow, no 503.
        const counters = async () =>
            (await (await fetch(`${portalUrl}/_emulator/counters`)).json()) as Counters;
        const before = await counters();
        await until(
            async () => (await counters()).rowsCleared > before.rowsCleared,
            60_000,
            'more cleared rows',
        );
        const after = await counters();
        const failing = [...(comms?.statuses ?? [])].filter(([, status]) => status.fill === 'red');
        assert.deepEqual(failing, [], 'no badge shows an error');
        assert.ok(after.rowsInserted > 0 && after.rowsCleared > 0);
        assert.ok(after.rowsCleared >= clearedCount(), 'every counted event was cleared in the portal');
        assert.equal(after.status503, 0, 'the flow stays within the standard plan limits');
        console.log(
            `      first badge count ${((firstBadge - started) / 1000).toFixed(1)} s after start; ` +
                `${after.rowsCleared} rows cleared, ${after.rowsInserted} inserted`,
        );

        await comms.close();
        demo.kill('SIGINT');
        assert.equal(await exited, 0, `the demo exited with an error:\n${output}`);
        for (const pid of descendants) assert.equal(isRunning(pid), false, `process ${pid} still runs`);
        await assert.rejects(fetch(`${editorUrl}/settings`), 'Node-RED no longer listens');
        await assert.rejects(fetch(`${portalUrl}/_emulator/state`), 'the emulator no longer listens');
    });
});
