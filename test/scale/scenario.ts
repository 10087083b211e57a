import type { Redis } from 'ioredis';

import { bindOffline } from '../../dist/demo/demo-emulator';
import { sleep, until } from '../../dist/demo/wait';
import { startEmulator, type Emulator } from '../../dist/emulator';
import { RedisServer } from '../helpers/redis-server';
import { Cluster } from './cluster';
import { DeliverySink } from './delivery-sink';
import { scaleFlow } from './scale-flow';

export const NAMES = ['alpha', 'bravo', 'charlie'];
export const PREFIX = 'b24:';
/** Shorter than the node's default 15 s, so that the takeover fits a CI run. */
export const LEASE_SECONDS = 5;
export const TOKEN_TTL_SECONDS = 20;

/** What the store run measured, for the specs and the benchmark. */
export interface StoreRun {
    changes: number;
    delivered: number;
    duplicates: number;
    /** Of which: redelivered after the kill (the killed instance's reservations) ... */
    duplicatesAfterKill: number;
    /** ... and after Redis came back empty (what no live ledger held any more). */
    duplicatesAfterOutage: number;
    queueRows: number;
    status503: number;
    refreshes: number;
    /** Token lifetimes that passed during the run. */
    expiries: number;
    invalidGrant: number;
    /** Times first deliveries went from one instance to another. */
    drainerSwitches: number;
    /** Instances that delivered first deliveries before the kill. */
    drainersBeforeKill: string[];
    killed: string;
    /** From the SIGKILL to the first delivery by another instance. */
    takeoverMs: number;
    /** Rows the killed instance had delivered (reserved, not cleared) that another delivered again. */
    redeliveredAfterKill: number;
    refreshesDuringOutage: number;
    /** Batches of new rows read while Redis was away (after the first second). */
    newReadsDuringOutage: number;
    /** Rows delivered after Redis came back (empty) from its outage. */
    deliveredAfterOutage: number;
    /** Keys under the prefix whose value holds a token in the clear. */
    keysWithTokens: string[];
    wallSeconds: number;
}

/** Adds `count` deal changes, each its own offline row. */
export function addChanges(emulator: Emulator, from: number, count: number): void {
    for (let i = from; i < from + count; i++)
        emulator.control.userChange({ entity: 'deal', action: 'add', fields: { title: `Scale ${i}` } });
}

/** Whether first deliveries of several instances interleave: how often the drainer changed. */
export function switches(sink: DeliverySink, since = 0): number {
    const firsts = sink.batches.filter((b) => b.redelivery === 0 && b.at >= since);
    let count = 0;
    for (let i = 1; i < firsts.length; i++) if (firsts[i].instance !== firsts[i - 1].instance) count++;
    return count;
}

/**
 * The issue-14 scenario on three Node-RED instances, one Redis and the emulator (standard
 * limits, tokens that expire every 20 s): 3,000 changes in three waves; the draining instance is
 * SIGKILLed during the first, Redis is down for 5 s (and comes back empty) during the second.
 */
export async function runWithStore(waves = [1000, 1000, 1000]): Promise<StoreRun> {
    const started = Date.now();
    const redis = await RedisServer.start();
    const emulator = await startEmulator({ limits: 'on', accessTokenTtlSeconds: TOKEN_TTL_SECONDS });
    const sink = await DeliverySink.start();
    // Each answer takes a moment, so that a drainer always has reservations open.
    sink.delayMs = 150;
    let cluster: Cluster | undefined;
    try {
        await bindOffline(emulator, 'ONCRMDEALADD');
        cluster = await Cluster.start(NAMES, { REDIS_URL: redis.url });
        await cluster.deploy(
            scaleFlow({ emulator, sinkUrl: sink.url, store: { leaseSeconds: LEASE_SECONDS } }),
        );
        const total = waves.reduce((a, b) => a + b, 0);
        const deliveredAll = (n: number) => () => sink.delivered().size >= n;
        const queueEmpty = () => emulator.control.counters().queue.rows === 0;

        // Wave 1, then SIGKILL whoever drains it while it holds reservations.
        addChanges(emulator, 0, waves[0]);
        await until(() => sink.delivered().size >= waves[0] / 3, 120_000, 'a third of wave 1');
        const drainersBeforeKill = [...sink.drainersSince(0)];
        const killed = sink.batches[sink.batches.length - 1].instance;
        const killedDelivered = new Set(
            sink.batches.filter((b) => b.instance === killed).flatMap((b) => b.ids),
        );
        await cluster.kill(killed);
        const killedAt = Date.now();
        await until(
            () => sink.batches.some((b) => b.at > killedAt && b.instance !== killed),
            (LEASE_SECONDS + 30) * 1000,
            'another instance to deliver after the kill',
        );
        const takeoverMs = sink.batches.find((b) => b.at > killedAt && b.instance !== killed)!.at - killedAt;
        await until(queueEmpty, 180_000, 'wave 1 to leave the queue');

        // Wave 2 with a 5 s outage of Redis, which comes back empty.
        const half = Math.floor(waves[1] / 2);
        addChanges(emulator, waves[0], half);
        await until(() => sink.delivered().size >= waves[0] + half / 4, 120_000, 'a quarter of wave 2');
        const refreshesBefore = emulator.control.counters().refreshes;
        const outageAt = Date.now();
        await redis.kill();
        // The other half arrives while Redis is away: nobody may reserve it until it is back.
        addChanges(emulator, waves[0] + half, waves[1] - half);
        await sleep(5_000);
        const refreshesDuringOutage = emulator.control.counters().refreshes - refreshesBefore;
        await redis.restart();
        const backAt = Date.now();
        await until(deliveredAll(waves[0] + waves[1]), 180_000, 'wave 2 after the outage');
        await until(queueEmpty, 180_000, 'wave 2 to leave the queue');
        const deliveredAfterOutage = sink.batches.filter((b) => b.at > backAt).flatMap((b) => b.ids).length;
        // A read already under way when Redis went may still land in its first second.
        const newReadsDuringOutage = sink.batches.filter(
            (b) => b.redelivery === 0 && b.at > outageAt + 1000 && b.at < backAt,
        ).length;

        // Wave 3 to the end.
        addChanges(emulator, waves[0] + waves[1], waves[2]);
        await until(deliveredAll(total), 240_000, 'every change');
        await until(queueEmpty, 60_000, 'an empty queue');
        const redeliveredAfterKill = sink.batches
            .filter((b) => b.at > killedAt && b.instance !== killed && b.redelivery > 0)
            .flatMap((b) => b.ids)
            .filter((id) => killedDelivered.has(id)).length;

        const counters = emulator.control.counters();
        const wallSeconds = (Date.now() - started) / 1000;
        const client = redis.client();
        let keysWithTokens: string[];
        try {
            keysWithTokens = await keysHoldingTokens(client, emulator.control.issuedTokens());
        } finally {
            client.disconnect();
        }
        return {
            changes: total,
            delivered: sink.delivered().size,
            duplicates: sink.duplicates(),
            duplicatesAfterKill: sink.duplicatesBetween(killedAt, outageAt),
            duplicatesAfterOutage: sink.duplicatesBetween(outageAt),
            queueRows: counters.queue.rows,
            status503: counters.status503,
            refreshes: counters.refreshes,
            expiries: Math.floor(wallSeconds / TOKEN_TTL_SECONDS),
            invalidGrant: cluster.lines(/invalid_grant|already used/).length,
            drainerSwitches: switches(sink),
            drainersBeforeKill,
            killed,
            takeoverMs,
            redeliveredAfterKill,
            refreshesDuringOutage,
            deliveredAfterOutage,
            newReadsDuringOutage,
            keysWithTokens,
            wallSeconds: Math.round(wallSeconds),
        };
    } catch (err) {
        // What each instance said last: the first thing to read when a wave does not arrive.
        for (const instance of cluster?.instances ?? [])
            console.error(`--- ${instance.name}\n${instance.runtime.lines.slice(-25).join('\n')}`);
        throw err;
    } finally {
        await cluster?.stop();
        await sink.close();
        await emulator.stop();
        await redis.stop();
    }
}

/** Keys under the prefix whose value (of any type) holds one of `tokens` as it is. */
export async function keysHoldingTokens(
    redis: Redis,
    pairs: { accessToken: string; refreshToken: string }[],
): Promise<string[]> {
    const secrets = pairs.flatMap((p) => [p.accessToken, p.refreshToken]);
    const found: string[] = [];
    for (const key of await redis.keys(`${PREFIX}*`)) {
        const type = await redis.type(key);
        let text = '';
        if (type === 'string') text = (await redis.get(key)) ?? '';
        else if (type === 'hash') text = JSON.stringify(await redis.hgetall(key));
        else if (type === 'zset') text = JSON.stringify(await redis.zrange(key, 0, -1));
        else if (type === 'set') text = JSON.stringify(await redis.smembers(key));
        else if (type === 'list') text = JSON.stringify(await redis.lrange(key, 0, -1));
        if (secrets.some((secret) => text.includes(secret))) found.push(key);
    }
    return found;
}
