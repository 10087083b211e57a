/**
 * The scale benchmark (issue 14): several Node-RED instances sharing one Redis through a
 * `bitrix24-store`, against the emulator. Prints JSON:
 *
 *   npm run bench:scale -- [--rows 4000] [--scale 10] [--portals 1000]
 *
 * - drain throughput of 3 instances vs 1 on one portal (the portal's bucket is the limit, so
 *   they should be within 10 %); the standard bucket sped up `scale` times;
 * - takeover time after a SIGKILL of the draining instance (lease 5 s here);
 * - Redis round trips per REST request during a drain: every command a client sent (MONITOR),
 *   by name and the kind of key: `evalsha bucket` (the shared bucket's reservation, one per
 *   request even when it waits), `evalsha leases-of` (leases, heartbeats), `set doc` (ledger
 *   writes, one per read and one per batch of confirmations);
 * - extra latency per REST request from the store: the shared bucket's one round trip, p50/p95;
 * - share of portals per instance: one application on a farm of `portals` portals, 3 instances,
 *   the drain leases each holds once they settle (lease 15 s, the default; see portal-share.ts).
 * Not a test: it prints what it measured.
 */
import os from 'node:os';

import { bindOffline } from '../../dist/demo/demo-emulator';
import { sleep, until } from '../../dist/demo/wait';
import { SharedStore } from '../../dist/bitrix24/storage/redis';
import { startEmulator, type Emulator } from '../../dist/emulator';
import { RedisServer } from '../helpers/redis-server';
import { Cluster } from '../scale/cluster';
import { DeliverySink } from '../scale/delivery-sink';
import { addChanges, NAMES } from '../scale/scenario';
import { scaleFlow } from '../scale/scale-flow';
import { portalShare } from './portal-share';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
    args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const rows = Number(args.get('rows') ?? 20000);
const scale = Number(args.get('scale') ?? 10);
const profile = { burst: 50, rps: 2 * scale };
const LEASE_SECONDS = 5;
const portals = Number(args.get('portals') ?? 1000);

interface DrainFigures {
    instances: number;
    rows: number;
    seconds: number;
    rowsPerSecond: number;
    restRequests: number;
    redisCommands: number;
    redisCommandsPerRestRequest: number;
    redisCommandsByName: Record<string, number>;
    bucketScriptsPerRestRequest: number;
    status503: number;
    takeoverMs: number;
}

async function drain(instances: number): Promise<DrainFigures> {
    const redis = await RedisServer.start();
    const emulator = await startEmulator({ limits: profile });
    const sink = await DeliverySink.start();
    let cluster: Cluster | undefined;
    try {
        await bindOffline(emulator, 'ONCRMDEALADD');
        cluster = await Cluster.start(NAMES.slice(0, instances), { REDIS_URL: redis.url });
        await cluster.deploy(
            scaleFlow({ emulator, sinkUrl: sink.url, store: { leaseSeconds: LEASE_SECONDS }, rate: profile }),
        );
        // Let the lease be taken and the bucket rest, so every run starts alike.
        await sleep((profile.burst / profile.rps) * 1000 + 2000);
        addChanges(emulator, 0, rows);
        emulator.control.resetCounters();
        const watch = await watchByPurpose(redis);
        const started = Date.now();
        await until(() => emulator.control.counters().queue.rows === 0, 600_000, 'the drain');
        const seconds = (Date.now() - started) / 1000;
        const redisCommandsByName = byName(await watch.stop());
        const redisCommands = Object.values(redisCommandsByName).reduce((a, b) => a + b, 0);
        const counters = emulator.control.counters();
        const takeoverMs = instances > 1 ? await takeover(emulator, sink, cluster) : 0;
        return {
            instances,
            rows,
            seconds: round(seconds),
            rowsPerSecond: round(rows / seconds),
            restRequests: counters.requests,
            redisCommands,
            redisCommandsPerRestRequest: round(redisCommands / counters.requests, 2),
            redisCommandsByName,
            bucketScriptsPerRestRequest: round(
                (redisCommandsByName['evalsha bucket'] ?? 0) / counters.requests,
                2,
            ),
            status503: counters.status503,
            takeoverMs,
        };
    } finally {
        await cluster?.stop();
        await sink.close();
        await emulator.stop();
        await redis.stop();
    }
}

/** SIGKILLs the instance that drains a new wave; ms until another delivers. */
async function takeover(emulator: Emulator, sink: DeliverySink, cluster: Cluster): Promise<number> {
    const from = sink.batches.length;
    sink.delayMs = 200;
    addChanges(emulator, rows, 500);
    await until(() => sink.batches.length > from, 60_000, 'the takeover wave');
    const drainer = sink.batches[sink.batches.length - 1].instance;
    await cluster.kill(drainer);
    const killedAt = Date.now();
    await until(
        () => sink.batches.some((b) => b.at > killedAt && b.instance !== drainer),
        60_000,
        'another instance to deliver',
    );
    return sink.batches.find((b) => b.at > killedAt && b.instance !== drainer)!.at - killedAt;
}

/** The shared bucket's round trip, the store's only work on a REST request's happy path. */
async function bucketLatency(): Promise<{ takes: number; p50Ms: number; p95Ms: number }> {
    const redis = await RedisServer.start();
    const store = SharedStore.open({ url: redis.url, prefix: 'b24:', instance: 'bench', leaseSeconds: 15 });
    try {
        await store.whenUp(5000);
        const bucket = store.bucket('bench.bitrix24.com', { burst: 1_000_000, rps: 1_000_000 });
        const times: number[] = [];
        for (let i = 0; i < 2200; i++) {
            const started = performance.now();
            await bucket.reserve();
            if (i >= 200) times.push(performance.now() - started);
        }
        times.sort((a, b) => a - b);
        const at = (q: number) => round(times[Math.floor(q * (times.length - 1))], 3);
        return { takes: times.length, p50Ms: at(0.5), p95Ms: at(0.95) };
    } finally {
        await store.close();
        await redis.stop();
    }
}

async function main(): Promise<void> {
    const one = await drain(1);
    const three = await drain(3);
    const latency = await bucketLatency();
    const share = await portalShare(portals, 15);
    const summary = {
        date: new Date().toISOString(),
        machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
        profile,
        leaseSeconds: LEASE_SECONDS,
        drain: { one, three },
        figures: {
            throughputThreeVsOne: {
                value: round(three.rowsPerSecond / one.rowsPerSecond, 3),
                target: 'within 10 % (0.9 .. 1.1)',
            },
            takeoverMs: {
                value: three.takeoverMs,
                target: `<= ${(LEASE_SECONDS + 5) * 1000} (leaseSeconds + 5 s)`,
            },
            redisRoundTripsPerRestRequest: {
                value: three.redisCommandsPerRestRequest,
                target: '<= 2',
                note: 'every command a client sent during the drain (MONITOR: bucket, leases, heartbeats, ledger writes) over REST requests',
            },
            bucketScriptsPerRestRequest: {
                value: three.bucketScriptsPerRestRequest,
                target: '1 (one reservation per request, even when it waits)',
            },
            extraLatencyPerRequestP95Ms: {
                value: latency.p95Ms,
                p50Ms: latency.p50Ms,
                target: '<= 2 ms on loopback',
            },
            portalShareManyPortals: {
                value: share.share,
                leases: share.leases,
                unowned: share.unowned,
                portals: share.portals,
                settleSeconds: share.settleSeconds,
                target: 'each 33 % ± 10 %',
            },
        },
    };
    console.log(JSON.stringify(summary, null, 2));
}

/**
 * Like RedisServer.watchCommands (each command a client sent is one round trip; those a script
 * runs inside Redis left out), each named with what it works on: `evalsha bucket`, `set doc`,
 * `evalsha leases-of`... from the kind of its first key.
 */
async function watchByPurpose(redis: RedisServer): Promise<{ stop: () => Promise<string[]> }> {
    const admin = redis.client();
    const monitor = await admin.monitor();
    const seen: string[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
        if (source === 'lua') return;
        const name = args[0].toLowerCase();
        const key = name === 'evalsha' || name === 'eval' ? args[3] : args[1];
        const kind = /(?:^|:)(bucket|budget|tokens|lock|doc|leases-of|lease|instances|resources|wake):?/.exec(
            key ?? '',
        )?.[1];
        seen.push(kind ? `${name} ${kind}` : name);
    });
    return {
        stop: async () => {
            // MONITOR output trails the replies a little: a PING of its own marks the end.
            await admin.ping();
            await sleep(50);
            monitor.disconnect();
            admin.disconnect();
            return seen.filter((name) => name !== 'ping');
        },
    };
}

/** Commands by name: how many of each a client sent (MONITOR, script-internal ones left out). */
function byName(commands: string[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const name of commands) counts[name] = (counts[name] ?? 0) + 1;
    return counts;
}

function round(value: number, digits = 1): number {
    return Math.round(value * 10 ** digits) / 10 ** digits;
}

void main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
});
