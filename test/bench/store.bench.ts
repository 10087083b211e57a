// Benchmark (not a timed test): what the shared store adds to each REST request on loopback.
// Run: npm run bench:store
//
// A real redis-server (test/helpers/redis-server.ts) on a free port. For each of 1 and 3
// instances (SharedStore connections) taking from one portal's bucket at once, 2,000 takes each
// with a burst high enough never to wait: the latency of PortalLimiter.acquire() shared minus
// the same without a store (the extra per request), p50 and p95; and the commands Redis got per
// take, counted with MONITOR in a pass of its own (each is one round trip); then the commands per
// request when the bucket makes nearly every request wait. Target (issue 14): p95 <= 2 ms, <= 2
// round trips per request.
import { performance } from 'node:perf_hooks';

import { PortalLimiter } from '../../dist/bitrix24';
import { SharedStore } from '../../dist/bitrix24/storage/redis';
import { RedisServer } from '../helpers/redis-server';

const TAKES = Number(process.env.TAKES ?? 2000);
const PROFILE = { burst: 1e9, rps: 1e6 };

function percentile(sorted: number[], p: number): number {
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timings(limiter: PortalLimiter): Promise<number[]> {
    const times: number[] = [];
    for (let i = 0; i < TAKES; i++) {
        const started = performance.now();
        await limiter.acquire();
        times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b);
}

async function run(server: RedisServer, instances: number) {
    const stores = Array.from({ length: instances }, (_, i) =>
        SharedStore.open({ url: server.url, prefix: 'bench:', instance: `i${i}`, leaseSeconds: 15 }),
    );
    await Promise.all(stores.map((store) => store.whenUp()));
    const limiters = stores.map((store) => {
        const limiter = new PortalLimiter(PROFILE);
        limiter.share(store.limits('bench.example', PROFILE));
        return limiter;
    });
    await Promise.all(limiters.map((limiter) => limiter.acquire()));
    const shared = (await Promise.all(limiters.map((limiter) => timings(limiter))))
        .flat()
        .sort((a, b) => a - b);
    // Counted in a pass of their own: MONITOR slows Redis down.
    const watch = await server.watchCommands();
    await Promise.all(limiters.map((limiter) => timings(limiter)));
    const commands = (await watch.stop()).length;
    const local = await timings(new PortalLimiter(PROFILE));
    await Promise.all(stores.map((store) => store.close()));
    const extra = (p: number) => Number((percentile(shared, p) - percentile(local, p)).toFixed(3));
    return {
        instances,
        takes: TAKES * instances,
        extraMs: { p50: extra(50), p95: extra(95), p99: extra(99) },
        sharedMs: { p50: percentile(shared, 50), p95: percentile(shared, 95) },
        localMs: { p50: percentile(local, 50), p95: percentile(local, 95) },
        roundTripsPerTake: Number((commands / (TAKES * instances)).toFixed(3)),
    };
}

/**
 * Round trips per request when the bucket makes requests wait: 3 instances queue 300 requests
 * each at once on a bucket of 200 at 1,000 per second (100 kept as margin), so that most wait
 * for their slot. Each books it with one script and goes when it comes, without asking again.
 */
async function throttled(server: RedisServer) {
    const profile = { burst: 200, rps: 1000 };
    const perInstance = 300;
    const stores = Array.from({ length: 3 }, (_, i) =>
        SharedStore.open({ url: server.url, prefix: 'bench:', instance: `t${i}`, leaseSeconds: 15 }),
    );
    await Promise.all(stores.map((store) => store.whenUp()));
    let waited = 0;
    const limiters = stores.map((store) => {
        const limiter = new PortalLimiter(profile);
        limiter.share(store.limits('throttled.example', profile));
        limiter.on('throttled', () => waited++);
        return limiter;
    });
    const watch = await server.watchCommands();
    await Promise.all(
        limiters.flatMap((limiter) => Array.from({ length: perInstance }, () => limiter.acquire())),
    );
    const names = await watch.stop();
    await Promise.all(stores.map((store) => store.close()));
    const requests = perInstance * limiters.length;
    const byName: Record<string, number> = {};
    for (const name of names) byName[name] = (byName[name] ?? 0) + 1;
    return {
        requests,
        waited,
        commands: byName,
        roundTripsPerRequest: Number((names.length / requests).toFixed(3)),
    };
}

async function main(): Promise<void> {
    const server = await RedisServer.start();
    try {
        const results = [await run(server, 1), await run(server, 3)];
        const waiting = await throttled(server);
        const round = (ms: number) => Number(ms.toFixed(3));
        for (const result of results) {
            result.sharedMs = { p50: round(result.sharedMs.p50), p95: round(result.sharedMs.p95) };
            result.localMs = { p50: round(result.localMs.p50), p95: round(result.localMs.p95) };
        }
        const worst = Math.max(...results.map((result) => result.extraMs.p95));
        const trips = Math.max(
            ...results.map((result) => result.roundTripsPerTake),
            waiting.roundTripsPerRequest,
        );
        console.log(
            JSON.stringify(
                {
                    results,
                    throttled: waiting,
                    targets: { extraP95Ms: { target: 2, worst }, roundTrips: { target: 2, worst: trips } },
                },
                null,
                2,
            ),
        );
    } finally {
        await server.stop();
    }
}

void main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
});
