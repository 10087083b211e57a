import assert from 'node:assert/strict';

import { bindOffline } from '../../dist/demo/demo-emulator';
import type { NodeRedProcess } from '../../dist/demo/node-red-process';
import { until } from '../../dist/demo/wait';
import { startEmulator, type Emulator } from '../../dist/emulator';
import { NodeRedComms } from '../helpers/node-red-comms';
import { startRuntime } from '../helpers/node-red-runtime';
import { RedisServer } from '../helpers/redis-server';
import { scaleFlow, type FlowNode } from './scale-flow';

interface TestAnswer {
    ok: boolean;
    code?: string;
    message?: string;
    instance?: string;
    instances?: string[];
    leases?: { resource: string; owner?: string }[];
}

/** The scale flow on one instance, its store at `url` under the name `solo`. */
function soloFlow(emulator: Emulator, url: string): FlowNode[] {
    return scaleFlow({ emulator, sinkUrl: 'http://127.0.0.1:9/none', store: { leaseSeconds: 3 } }).map(
        (node) =>
            node.type === 'bitrix24-store'
                ? { ...node, url, urlType: 'str', instance: 'solo', instanceType: 'str' }
                : node,
    );
}

async function testStore(
    runtime: NodeRedProcess,
    id = 'store',
): Promise<{ status: number; body: TestAnswer }> {
    const response = await fetch(`${runtime.url}/bitrix24/store/${id}/test`, { method: 'POST' });
    return { status: response.status, body: (await response.json()) as TestAnswer };
}

describe('bitrix24-store in a Node-RED runtime', function () {
    this.timeout(60_000);
    let redis: RedisServer;
    let emulator: Emulator;
    let runtime: NodeRedProcess;
    let stopRuntime: () => Promise<void>;

    beforeEach(async () => {
        redis = await RedisServer.start();
        emulator = await startEmulator();
        await bindOffline(emulator, 'ONCRMDEALADD');
        ({ runtime, stop: stopRuntime } = await startRuntime());
    });

    afterEach(async () => {
        await stopRuntime();
        await emulator.stop();
        await redis.stop();
    });

    it("Test connection names this instance, the live instances and the portal's drainer", async () => {
        await runtime.deploy(soloFlow(emulator, redis.url), { started: true });
        let answer: TestAnswer = { ok: false };
        await until(
            async () => {
                answer = (await testStore(runtime)).body;
                return answer.leases?.some((lease) => lease.owner === 'solo') === true;
            },
            15_000,
            'the lease',
        );
        assert.equal(answer.instance, 'solo');
        assert.deepEqual(answer.instances, ['solo']);
        assert.deepEqual(answer.leases, [
            { resource: `drain:${new URL(emulator.portalUrl).host}:get`, owner: 'solo' },
        ]);
    });

    it('Test connection answers STORE_UNREACHABLE while Redis is away', async () => {
        await runtime.deploy(soloFlow(emulator, redis.url), { started: true });
        await redis.kill();
        const { body } = await testStore(runtime);
        assert.equal(body.ok, false);
        assert.equal(body.code, 'STORE_UNREACHABLE');
    });

    it('Test connection answers 404 NOT_DEPLOYED for a store the runtime does not know', async () => {
        const { status, body } = await testStore(runtime, 'nowhere');
        assert.equal(status, 404);
        assert.equal(body.code, 'NOT_DEPLOYED');
    });

    it('refuses a store URL that is not redis:// with what to change, and connects nowhere', async () => {
        await runtime.deploy(soloFlow(emulator, 'http://127.0.0.1:6379'), { started: true });
        await until(
            () => runtime.lines.some((line) => /redis:\/\/ or rediss:\/\//.test(line)),
            10_000,
            'the error',
        );
        const { body } = await testStore(runtime);
        assert.equal(body.code, 'INVALID_CONFIG');
    });

    it('shows "store unreachable" on the get node while Redis is away, and drains again once it is back', async () => {
        const comms = await NodeRedComms.connect(runtime.url);
        try {
            await runtime.deploy(soloFlow(emulator, redis.url), { started: true });
            await redis.kill();
            await until(
                () => comms.statuses.get('get')?.text?.endsWith('bitrix24-store.status.unreachable') === true,
                10_000,
                `the badge: ${JSON.stringify(comms.history.get('get'))}`,
            );
            await redis.restart();
            emulator.control.userChange({ entity: 'deal', action: 'add', fields: { title: 'after' } });
            await until(
                () => emulator.control.counters().rowsReserved > 0,
                20_000,
                'a read after Redis is back',
            );
        } finally {
            await comms.close();
        }
    });

    for (const type of ['full', 'nodes', 'flows'] as const) {
        it(`drains under the new store's lease after a ${type} deploy that changes the store and get nodes`, async () => {
            await runtime.deploy(soloFlow(emulator, redis.url), { started: true });
            const drainer = async () =>
                (await testStore(runtime)).body.leases?.find((lease) => lease.resource.endsWith(':get'))
                    ?.owner;
            await until(async () => (await drainer()) === 'solo', 15_000, 'the first lease');
            const changed = soloFlow(emulator, redis.url).map((node) =>
                node.type === 'bitrix24-store'
                    ? { ...node, instance: 'solo-2' }
                    : node.type === 'bitrix24-offline-get'
                      ? { ...node, name: 'get, changed' }
                      : node,
            );
            await runtime.deploy(changed, { started: true, type });
            // The store that closed in the deploy drains no more; the restarted one holds the lease.
            await until(async () => (await drainer()) === 'solo-2', 15_000, 'the lease of the new store');
            const reserved = emulator.control.counters().rowsReserved;
            emulator.control.userChange({ entity: 'deal', action: 'add', fields: { title: type } });
            await until(
                () => emulator.control.counters().rowsReserved > reserved,
                20_000,
                'a read after the deploy',
            );
            const answer = (await testStore(runtime)).body;
            assert.equal(answer.instance, 'solo-2');
        });
    }
});
