/**
 * The drain benchmark (issue 8): how many REST requests and how much time this package needs to
 * drain the offline queue, against the least time the portal's bucket allows a plain get/clear
 * loop, and against such a loop written with @bitrix24/b24jssdk. Prints a table and JSON.
 *
 *   npm run bench -- [--sizes 1000,10000,100000] [--limits 50,100,200] [--scale 20]
 *
 * The emulator runs the standard bucket (50 burst, 2 per s) sped up `scale` times; ratios do
 * not depend on the speed-up. Not a test: it asserts nothing and prints what it measured.
 */
import os from 'node:os';

import { bindOffline } from '../../dist/demo/demo-emulator';
import type { NodeRedProcess } from '../../dist/demo/node-red-process';
import { emulatorPortalNode } from '../../dist/demo/portal-node';
import { sleep } from '../../dist/demo/wait';
import { startEmulator, type Emulator } from '../../dist/emulator';
import { startRuntime } from '../helpers/node-red-runtime';
import { jssdkDrain } from './jssdk-drain';

interface Row {
    runner: 'node-red-bitrix24' | 'b24jssdk';
    events: number;
    limit: number;
    requests: number;
    requestsPer1000: number;
    wallSeconds: number;
    /** Least time the bucket allows for the requests of a plain get/clear loop. */
    plainBucketSeconds: number;
    ratioToPlainBucket: number | null;
    status503: number;
    cpuMsPer1000?: number;
    peakRssGrowthMb?: number;
}

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
    args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const sizes = (args.get('sizes') ?? '1000,10000,100000').split(',').map(Number);
const limits = (args.get('limits') ?? '50,100,200').split(',').map(Number);
const scale = Number(args.get('scale') ?? 20);
const profile = { burst: 50, rps: 2 * scale };

async function main(): Promise<void> {
    const emulator = await startEmulator({ limits: profile });
    await bindOffline(emulator, 'ONCRMDEALADD');
    const { runtime: nodeRed, stop: stopNodeRed } = await startRuntime();
    const rows: Row[] = [];
    try {
        for (const events of sizes) {
            // limit 50 for every size; the larger limits on the middle size, where they show.
            const limitsHere = events === sizes[Math.min(1, sizes.length - 1)] ? limits : [limits[0]];
            for (const limit of limitsHere) {
                rows.push(await ourDrain(emulator, nodeRed, events, limit));
                if (limit === limits[0]) rows.push(await theirDrain(emulator, events, limit));
            }
        }
    } finally {
        await stopNodeRed();
        await emulator.stop();
    }
    printTable(rows);
    const limitProbe = await probeLimits();
    console.log(
        JSON.stringify(
            { date: new Date().toISOString(), machine: machine(), scale, profile, rows, limitProbe },
            null,
            2,
        ),
    );
}

async function ourDrain(
    emulator: Emulator,
    nodeRed: NodeRedProcess,
    events: number,
    limit: number,
): Promise<Row> {
    await nodeRed.deploy(flow(emulator, limit));
    await settle(emulator);
    fill(emulator, events);
    await restBucket();
    emulator.control.resetCounters();
    const before = nodeRed.figures();
    const started = Date.now();
    await nodeRed.inject('start');
    await drained(emulator, events);
    const wallSeconds = (Date.now() - started) / 1000;
    const after = nodeRed.figures();
    const counters = emulator.control.counters();
    return row('node-red-bitrix24', events, limit, counters.requests, wallSeconds, counters.status503, {
        cpuMsPer1000: round(((after.cpuMs - before.cpuMs) / events) * 1000),
        peakRssGrowthMb: round(after.peakRssMb - before.rssMb),
    });
}

async function theirDrain(emulator: Emulator, events: number, limit: number): Promise<Row> {
    fill(emulator, events);
    await restBucket();
    emulator.control.resetCounters();
    const started = Date.now();
    await jssdkDrain(emulator, limit, profile);
    const wallSeconds = (Date.now() - started) / 1000;
    await drained(emulator, events);
    const counters = emulator.control.counters();
    return row('b24jssdk', events, limit, counters.requests, wallSeconds, counters.status503);
}

function row(
    runner: Row['runner'],
    events: number,
    limit: number,
    requests: number,
    wallSeconds: number,
    status503: number,
    extra: Partial<Row> = {},
): Row {
    const plainRequests = 2 * Math.ceil(events / limit) + 1;
    const plainBucketSeconds = Math.max(0, (plainRequests - profile.burst) / profile.rps);
    return {
        runner,
        events,
        limit,
        requests,
        requestsPer1000: round((requests / events) * 1000),
        wallSeconds: round(wallSeconds),
        plainBucketSeconds: round(plainBucketSeconds),
        ratioToPlainBucket: plainBucketSeconds > 0 ? round(wallSeconds / plainBucketSeconds) : null,
        status503,
        ...extra,
    };
}

/** inject -> offline-get (reserve, drain, batch output) -> offline-clear, against the emulator. */
function flow(emulator: Emulator, limit: number): Record<string, unknown>[] {
    return [
        { id: 'bench', type: 'tab', label: 'bench' },
        emulatorPortalNode(emulator, { burst: profile.burst, rps: profile.rps }),
        {
            id: 'start',
            type: 'inject',
            z: 'bench',
            x: 100,
            y: 100,
            props: [],
            repeat: '',
            once: false,
            wires: [['get']],
        },
        {
            id: 'get',
            type: 'bitrix24-offline-get',
            z: 'bench',
            x: 300,
            y: 100,
            portal: 'portal',
            mode: 'reserve',
            queue: 'normal',
            limit,
            output: 'batch',
            drain: true,
            maxOpen: 4,
            redeliverAfter: 300,
            filter: '{}',
            filterType: 'json',
            order: '{"TIMESTAMP_X":"ASC"}',
            orderType: 'json',
            wires: [['clear'], []],
        },
        {
            id: 'clear',
            type: 'bitrix24-offline-clear',
            z: 'bench',
            x: 500,
            y: 100,
            portal: 'portal',
            wires: [[]],
        },
    ];
}

/**
 * How big and how slow one `event.offline.get` of `limit` rows is on the emulator (limits off),
 * for the safe range of `limit` in the README. The portal's own cost per row is not known here.
 */
async function probeLimits(): Promise<{ limit: number; bytes: number; ms: number }[]> {
    const emulator = await startEmulator({ limits: 'off' });
    try {
        await bindOffline(emulator, 'ONCRMDEALADD');
        const probe = [];
        for (const limit of [50, 200, 500, 1000, 5000]) {
            fill(emulator, limit);
            const started = performance.now();
            const response = await fetch(`${emulator.portalUrl}/rest/event.offline.get.json`, {
                method: 'POST',
                headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify({ clear: 1, limit, auth: emulator.app.accessToken }),
            });
            const bytes = (await response.arrayBuffer()).byteLength;
            probe.push({ limit, bytes, ms: round(performance.now() - started) });
        }
        return probe;
    } finally {
        await emulator.stop();
    }
}

function fill(emulator: Emulator, events: number): void {
    for (let i = 0; i < events; i++) {
        emulator.control.userChange({ entity: 'deal', action: 'add', fields: { title: `Bench ${i}` } });
    }
}

/** After a deploy the get node looks for orphans once; let that pass before counting. */
async function settle(emulator: Emulator): Promise<void> {
    const deadline = Date.now() + 10_000;
    let last = -1;
    while (Date.now() < deadline) {
        const requests = emulator.control.counters().requests;
        if (requests === last) return;
        last = requests;
        await sleep(500);
    }
}

/** Every run starts with the bucket empty, as after a quiet minute. */
function restBucket(): Promise<void> {
    return sleep((profile.burst / profile.rps) * 1000 + 200);
}

async function drained(emulator: Emulator, events: number): Promise<void> {
    const deadline = Date.now() + Math.max(120_000, (events / profile.rps) * 2000);
    while (emulator.control.counters().queue.rows > 0) {
        if (Date.now() > deadline)
            throw new Error(`the queue did not drain: ${emulator.control.counters().queue.rows} rows left`);
        await sleep(20);
    }
}

function printTable(rows: Row[]): void {
    const header = [
        'runner',
        'events',
        'limit',
        'requests',
        'req/1000 ev',
        'wall s',
        'plain bucket s',
        'ratio',
        '503s',
        'CPU ms/1000 ev',
        'RSS growth MB',
    ];
    const lines = rows.map((r) => [
        r.runner,
        r.events,
        r.limit,
        r.requests,
        r.requestsPer1000,
        r.wallSeconds,
        r.plainBucketSeconds,
        r.ratioToPlainBucket ?? '-',
        r.status503,
        r.cpuMsPer1000 ?? '-',
        r.peakRssGrowthMb ?? '-',
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
    const format = (cells: (string | number)[]) =>
        cells.map((c, i) => String(c).padStart(widths[i])).join('  ');
    console.log(format(header));
    for (const line of lines) console.log(format(line));
    for (const events of sizes) {
        const ours = rows.find(
            (r) => r.runner === 'node-red-bitrix24' && r.events === events && r.limit === limits[0],
        );
        const theirs = rows.find((r) => r.runner === 'b24jssdk' && r.events === events);
        if (ours && theirs) {
            console.log(
                `${events} events at limit ${limits[0]}: b24jssdk takes ${round(theirs.wallSeconds / ours.wallSeconds)}x our time and ${round(theirs.requests / ours.requests)}x our requests`,
            );
        }
    }
}

function machine(): string {
    return `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

function round(value: number): number {
    return Math.round(value * 100) / 100;
}

main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
});
