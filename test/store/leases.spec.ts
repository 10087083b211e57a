import assert from 'node:assert/strict';

import { Redis } from 'ioredis';

import { Leases, type SharedStore } from '../../dist/bitrix24/storage/redis';
import { StoreKeys } from '../../dist/bitrix24/storage/redis/keys';
import { defineScripts } from '../../dist/bitrix24/storage/redis/scripts';
import { sleep, until, useRedis } from './use-store';

const RESOURCES = Array.from({ length: 99 }, (_, i) => `portal-${i}`);

describe('store: leases', function () {
    this.timeout(20_000);
    const { open, server } = useRedis();
    const connections: Redis[] = [];

    afterEach(() => {
        for (const connection of connections.splice(0)) connection.disconnect();
    });

    /** An instance that takes leases and then dies: it never renews them. */
    function doomed(name: string, leaseMs: number): Leases {
        const connection = new Redis(server().url);
        connections.push(connection);
        return new Leases(defineScripts(connection), new StoreKeys('b24:'), name, leaseMs);
    }

    async function counts(store: SharedStore): Promise<Map<string, number>> {
        const owners = await store.leases.owners(RESOURCES);
        const tally = new Map<string, number>();
        for (const owner of owners) tally.set(owner ?? '(none)', (tally.get(owner ?? '(none)') ?? 0) + 1);
        return tally;
    }

    it('gives a lease to one instance at a time', async () => {
        const [a, b] = await Promise.all([open('a'), open('b')]);
        assert.equal(await a.leases.acquire('p1'), true);
        assert.equal(await b.leases.acquire('p1'), false);
        assert.equal(await b.leases.owner('p1'), 'a');
    });

    it('lets another instance take a lease over once its holder stopped renewing it', async () => {
        const dead = doomed('dead', 1000);
        assert.equal(await dead.acquire('p1'), true);
        const b = await open('b', { leaseSeconds: 1 });
        b.leases.want('p1');
        const started = Date.now();
        await until(async () => (await b.leases.owner('p1')) === 'b', 5000);
        const waited = Date.now() - started;
        assert.ok(waited >= 600 && waited <= 2500, `taken over after ${waited} ms`);
    });

    it('keeps a lease whose holder renews it past leaseSeconds', async () => {
        const a = await open('a', { leaseSeconds: 1 });
        const b = await open('b', { leaseSeconds: 1 });
        a.leases.want('p1');
        await a.leases.beat();
        b.leases.want('p1');
        await sleep(2500);
        assert.equal(await b.leases.owner('p1'), 'a');
    });

    it('shares 99 resources 33 each among three instances that start together', async () => {
        const stores = await Promise.all(['a', 'b', 'c'].map((name) => open(name, { leaseSeconds: 1 })));
        for (const store of stores) for (const resource of RESOURCES) store.leases.want(resource);
        await until(async () => {
            const tally = await counts(stores[0]);
            return ['a', 'b', 'c'].every((name) => tally.get(name) === 33);
        }, 10_000);
    });

    it('moves resources to instances that join late, until each holds its share', async () => {
        const first = await open('a', { leaseSeconds: 1 });
        for (const resource of RESOURCES) first.leases.want(resource);
        await until(async () => (await counts(first)).get('a') === 99, 5000);
        const late = await Promise.all(['b', 'c'].map((name) => open(name, { leaseSeconds: 1 })));
        for (const store of late) for (const resource of RESOURCES) store.leases.want(resource);
        await until(async () => {
            const tally = await counts(first);
            return ['a', 'b', 'c'].every((name) => tally.get(name) === 33);
        }, 10_000);
    });

    it('lists the instances whose heartbeat is current', async () => {
        const dead = doomed('dead', 500);
        await dead.acquire('p1');
        const a = await open('a', { leaseSeconds: 1 });
        await a.leases.beat();
        assert.deepEqual((await a.leases.instances()).sort(), ['a', 'dead']);
        await sleep(800);
        assert.deepEqual(await a.leases.instances(), ['a']);
    });

    it('gives its leases up on close, so that another instance takes them at once', async () => {
        const a = await open('a', { leaseSeconds: 15 });
        await a.leases.acquire('p1');
        await a.close();
        const b = await open('b');
        assert.equal(await b.leases.acquire('p1'), true);
    });

    it('wakes the instance listening for a resource when any instance rings it', async () => {
        const [a, b] = await Promise.all([open('a'), open('b')]);
        let woken = 0;
        b.onWake('p1', () => (woken += 1));
        await sleep(50);
        await a.wake('p1');
        await until(() => woken === 1, 2000);
    });
});
