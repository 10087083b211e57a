import assert from 'node:assert/strict';

import { sleep } from '../../dist/demo/wait';

import { AppBench, APP, bindDealsNode, reportNode, TAB, type FlowNode } from './app-bench';

describe('many portals: polls of idle installations', function () {
    this.timeout(120_000);
    let bench: AppBench;

    beforeEach(async () => {
        bench = await AppBench.start(2);
    });

    afterEach(async () => {
        await bench?.stop();
    });

    it('polls an installation whose poll found rows again at the base interval, before an idle one', async () => {
        const get: FlowNode = {
            id: 'get',
            z: TAB,
            type: 'bitrix24-offline-get',
            portal: APP,
            mode: 'delete',
            drain: true,
            wires: [[], []],
        };
        await bench.deploy(bench.flow([bindDealsNode(), get]));
        await bench.installAll();
        const [idle, busy] = bench.farm.portals;
        await bench.until(
            () => busy.control.bindings(bench.farm.app.clientId).some((b) => b.event === 'ONCRMDEALADD'),
            'ONCRMDEALADD bound',
        );
        await bench.addDeals(busy, 3);
        // Both installations start their polls together: after 1 s, then 2 s more while idle.
        const trigger: FlowNode = {
            id: 'trigger',
            z: TAB,
            type: 'bitrix24-onoffline-trigger',
            portal: APP,
            autoBind: false,
            pollInterval: 1,
            wires: [['get', 'report-trigger']],
        };
        await bench.deploy(bench.flow([bindDealsNode(), get, trigger, reportNode('trigger')]), 'nodes');
        await bench.until(() => bench.from('trigger').length >= 4, 'two polls of each installation');
        const order = bench
            .from('trigger')
            .slice(0, 4)
            .map((r) => (r.portal?.memberId === busy.memberId ? 'busy' : 'idle'));
        // The first poll of busy found its 3 rows: its next poll comes 1 s later, idle's 2 s later.
        assert.deepEqual(order.slice(2), ['busy', 'idle']);
        assert.equal(busy.control.queueRows().length, 0);
        assert.equal(idle.memberId, bench.from('trigger')[3].portal?.memberId);
    });

    it('waits the longest interval before polling a fresh installation whose doorbell it keeps bound, and polls each at the base interval after a restart', async () => {
        const trigger = (pollInterval: number): FlowNode => ({
            id: 'trigger',
            z: TAB,
            type: 'bitrix24-onoffline-trigger',
            portal: APP,
            autoBind: true,
            minTimeout: 0,
            pollInterval,
            wires: [['report-trigger']],
        });
        await bench.deploy(bench.flow([trigger(1), reportNode('trigger')]));
        await bench.installAll();
        await bench.until(
            () =>
                bench.farm.portals.every((portal) =>
                    portal.control
                        .bindings(bench.farm.app.clientId)
                        .some((b) => b.event === 'ONOFFLINEEVENT'),
                ),
            'ONOFFLINEEVENT bound on every portal',
        );
        // Their queues are empty and their rings carry what comes: no poll 1 s, 2 s, 4 s later.
        await sleep(4500);
        assert.deepEqual(
            bench.from('trigger').filter((r) => r.topic === 'poll'),
            [],
        );
        // A restart may have missed rows: every installation is polled at the base interval again.
        await bench.deploy(bench.flow([trigger(2), reportNode('trigger')]), 'nodes');
        await bench.until(
            () =>
                new Set(
                    bench
                        .from('trigger')
                        .filter((r) => r.topic === 'poll')
                        .map((r) => r.portal?.memberId),
                ).size === bench.farm.portals.length,
            'a poll of each installation after the restart',
        );
    });
});
