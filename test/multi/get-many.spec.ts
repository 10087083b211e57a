import assert from 'node:assert/strict';

import type { FarmPortal } from '../../dist/emulator';
import {
    AppBench,
    APP,
    bindDealsNode,
    injectTo,
    reportNode,
    TAB,
    type FlowNode,
    type Report,
} from './app-bench';

function getNode(extra: Record<string, unknown>): FlowNode {
    return {
        id: 'get',
        z: TAB,
        type: 'bitrix24-offline-get',
        portal: APP,
        limit: 50,
        drain: true,
        redeliverAfter: 0,
        wires: [['report-get'], ['report-empty']],
        ...extra,
    };
}

/** Events in the batch msgs the get node sent for `portal`. */
function eventsOf(reports: Report[], portal: FarmPortal): number {
    return reports
        .filter((r) => r.portal?.memberId === portal.memberId)
        .reduce((sum, r) => sum + (Array.isArray(r.payload) ? r.payload.length : 1), 0);
}

const dealsBound = (bench: AppBench) =>
    bench.until(
        () =>
            bench.farm.portals.every((portal) =>
                portal.control.bindings(bench.farm.app.clientId).some((b) => b.event === 'ONCRMDEALADD'),
            ),
        'ONCRMDEALADD bound on every portal',
    );

describe('many portals: offline get and clear', function () {
    this.timeout(180_000);
    let bench: AppBench;

    beforeEach(async () => {
        bench = await AppBench.start(2);
    });

    afterEach(async () => {
        await bench?.stop();
    });

    it('drains a portal with 5 rows before a portal with 500 rows is done, one drain at a time', async () => {
        const [busy, small] = bench.farm.portals;
        await bench.deploy(
            bench.flow(
                [
                    bindDealsNode(),
                    getNode({ mode: 'delete' }),
                    injectTo('go', 'get'),
                    reportNode('get'),
                    reportNode('empty'),
                ],
                { concurrency: 1 },
            ),
        );
        await bench.installAll();
        await dealsBound(bench);
        await bench.addDeals(busy, 500);
        await bench.addDeals(small, 5);
        await bench.runtime.inject('go');
        await bench.until(() => bench.from('empty').length >= 2, 'both portals drained', 60_000);
        assert.deepEqual(
            bench.from('empty').map((r) => r.portal?.memberId),
            [small.memberId, busy.memberId],
        );
        assert.equal(eventsOf(bench.from('get'), busy), 500);
        assert.equal(eventsOf(bench.from('get'), small), 5);
    });

    it('clears each reservation on its own portal, every msg carrying msg.portal', async () => {
        const [first, second] = bench.farm.portals;
        await bench.deploy(
            bench.flow([
                bindDealsNode(),
                getNode({
                    mode: 'reserve',
                    output: 'event',
                    wires: [['clear', 'report-get'], ['report-empty']],
                }),
                {
                    id: 'clear',
                    z: TAB,
                    type: 'bitrix24-offline-clear',
                    portal: APP,
                    wires: [['report-clear']],
                },
                injectTo('go', 'get'),
                reportNode('get'),
                reportNode('empty'),
                reportNode('clear'),
            ]),
        );
        await bench.installAll();
        await dealsBound(bench);
        await bench.addDeals(first, 3);
        await bench.addDeals(second, 4);
        await bench.runtime.inject('go');
        await bench.until(
            () =>
                first.control.counters().rowsCleared === 3 &&
                second.control.counters().rowsCleared === 4 &&
                bench.from('clear').length === 7,
            'every row cleared',
        );
        assert.equal(first.control.queueRows().length, 0);
        assert.equal(second.control.queueRows().length, 0);
        assert.equal(eventsOf(bench.from('get'), first), 3);
        assert.equal(eventsOf(bench.from('get'), second), 4);
        assert.equal(eventsOf(bench.from('clear'), first), 3);
        assert.equal(eventsOf(bench.from('clear'), second), 4);
        assert.deepEqual(
            bench
                .from('empty')
                .map((r) => r.portal?.memberId)
                .sort(),
            [first.memberId, second.memberId].sort(),
        );
    });

    it('drains only the installation msg.portal names', async () => {
        const [first, second] = bench.farm.portals;
        await bench.deploy(
            bench.flow([
                bindDealsNode(),
                getNode({ mode: 'delete' }),
                reportNode('get'),
                reportNode('empty'),
            ]),
        );
        await bench.installAll();
        await dealsBound(bench);
        await bench.addDeals(first, 2);
        await bench.addDeals(second, 3);
        await bench.deploy(
            bench.flow([
                bindDealsNode(),
                getNode({ mode: 'delete' }),
                injectTo('go', 'get', { memberId: second.memberId }),
                reportNode('get'),
                reportNode('empty'),
            ]),
            'nodes',
        );
        await bench.runtime.inject('go');
        await bench.until(() => bench.from('empty').length >= 1, 'the drain');
        assert.equal(eventsOf(bench.from('get'), second), 3);
        assert.equal(eventsOf(bench.from('get'), first), 0);
        assert.equal(first.control.queueRows().length, 2);
    });
});
