import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { sleep } from '../../dist/demo/wait';
import { AppBench, APP, bindDealsNode, injectTo, reportNode, TAB, type FlowNode } from './app-bench';

const DEPLOY_TYPES = ['full', 'nodes', 'flows'] as const;

const getNode: FlowNode = {
    id: 'get',
    z: TAB,
    type: 'bitrix24-offline-get',
    portal: APP,
    mode: 'reserve',
    limit: 50,
    drain: true,
    redeliverAfter: 0,
    wires: [['report-get'], []],
};

const triggerNode: FlowNode = {
    id: 'trigger',
    z: TAB,
    type: 'bitrix24-onoffline-trigger',
    portal: APP,
    autoBind: true,
    minTimeout: 0,
    pollInterval: 0,
    wires: [['report-trigger']],
};

describe('many portals: deploys that change the application node', function () {
    this.timeout(180_000);
    let bench: AppBench;

    beforeEach(async () => {
        bench = await AppBench.start(2);
    });

    afterEach(async () => {
        await bench?.stop();
    });

    const dealsBound = () =>
        bench.until(
            () =>
                bench.farm.portals.every((portal) =>
                    portal.control.bindings(bench.farm.app.clientId).some((b) => b.event === 'ONCRMDEALADD'),
                ),
            'ONCRMDEALADD bound on every portal',
        );

    for (const type of DEPLOY_TYPES) {
        it(`delivers each installation's open reservation again from its ledger after a ${type} deploy that changes the get and application nodes`, async () => {
            const nodes = [bindDealsNode(), getNode, injectTo('go', 'get'), reportNode('get')];
            await bench.deploy(bench.flow(nodes));
            await bench.installAll();
            await dealsBound();
            const [first, second] = bench.farm.portals;
            await bench.addDeals(first, 2);
            await bench.addDeals(second, 3);
            await bench.runtime.inject('go');
            await bench.until(() => bench.from('get').length === 2, 'both reservations');
            // Each installation's reservation is in its own ledger document before its msg leaves.
            for (const [portal, rows] of [
                [first, 2],
                [second, 3],
            ] as const) {
                const file = path.join(bench.userDir, 'bitrix24', `ledger-get-${portal.memberId}`);
                const ledger = JSON.parse(await fs.readFile(file, 'utf8')) as {
                    entries: { messageIds: string[] }[];
                };
                assert.deepEqual(
                    ledger.entries.map((entry) => entry.messageIds.length),
                    [rows],
                );
            }

            const changed = bench.flow([bindDealsNode(), { ...getNode, limit: 40 }, reportNode('get')], {
                name: 'changed',
                credentials: undefined,
            });
            await bench.runtime.deploy(changed, { type, started: true });
            await bench.until(
                () => bench.from('get').filter((r) => r.redelivery === 1).length === 2,
                'both reservations again',
            );
            const again = bench.from('get').filter((r) => r.redelivery === 1);
            const sizes: Record<string, number> = {};
            for (const r of again)
                sizes[r.portal?.memberId ?? ''] = Array.isArray(r.payload) ? r.payload.length : 0;
            assert.deepEqual(sizes, { [first.memberId]: 2, [second.memberId]: 3 });
        });
    }

    for (const type of DEPLOY_TYPES) {
        it(`passes on a ring with its msg.portal after a ${type} deploy that changes the trigger and application nodes`, async () => {
            await bench.deploy(bench.flow([bindDealsNode(), triggerNode, reportNode('trigger')]));
            await bench.installAll();
            await dealsBound();
            await bench.runtime.deploy(
                bench.flow([bindDealsNode(), { ...triggerNode, name: 'changed' }, reportNode('trigger')], {
                    name: 'changed',
                    credentials: undefined,
                }),
                { type, started: true },
            );
            const second = bench.farm.portals[1];
            await bench.until(
                () =>
                    second.control
                        .bindings(bench.farm.app.clientId)
                        .some((b) => b.event === 'ONOFFLINEEVENT'),
                'the doorbell bound',
            );
            await bench.addDeals(second, 1);
            await bench.until(() => bench.from('trigger').length >= 1, 'a ring');
            // The trigger of before the deploy no longer listens: one ring, one msg.
            await sleep(500);
            assert.equal(bench.from('trigger').length, 1);
            const [ring] = bench.from('trigger');
            assert.equal(ring.topic, 'ONOFFLINEEVENT');
            assert.deepEqual(ring.portal, { memberId: second.memberId, domain: second.domain });
        });
    }

    it('polls every idle installation with its msg.portal', async () => {
        await bench.deploy(
            bench.flow([{ ...triggerNode, autoBind: false, pollInterval: 1 }, reportNode('trigger')]),
        );
        await bench.installAll();
        await bench.until(() => bench.from('trigger').length >= 2, 'a poll of each installation');
        const polls = bench.from('trigger').slice(0, 2);
        assert.deepEqual(
            polls.map((r) => [r.topic, r.portal?.memberId]).sort(),
            bench.farm.portals.map((p) => ['poll', p.memberId]).sort(),
        );
    });
});
