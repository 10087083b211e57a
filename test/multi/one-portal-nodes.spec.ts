import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { sleep } from '../../dist/demo/wait';
import { AppBench, APP, bindDealsNode, injectTo, reportNode, TAB, type FlowNode } from './app-bench';

const PROCESS_ID = 'a'.repeat(32);

describe('many portals: nodes acting on the installation msg.portal names', function () {
    this.timeout(180_000);
    let bench: AppBench;

    before(async () => {
        bench = await AppBench.start(2);
        const [, second] = bench.farm.portals;
        const nodes: FlowNode[] = [
            bindDealsNode(),
            { id: 'list', z: TAB, type: 'bitrix24-offline-list', portal: APP, wires: [['report-list']] },
            {
                id: 'call',
                z: TAB,
                type: 'bitrix24-call',
                portal: APP,
                method: 'profile',
                methodType: 'str',
                wires: [['report-call']],
            },
            {
                id: 'bind',
                z: TAB,
                type: 'bitrix24-bind',
                portal: APP,
                action: 'list',
                wires: [['report-bind']],
            },
            {
                id: 'clear',
                z: TAB,
                type: 'bitrix24-offline-clear',
                portal: APP,
                coalesceMs: 500,
                wires: [['report-clear']],
            },
            injectTo('go-list', 'list', { memberId: second.memberId }),
            injectTo('go-call', 'call', { memberId: second.memberId }),
            injectTo('go-bind', 'bind', { memberId: second.memberId }),
            ...bench.farm.portals.map((portal, i) =>
                injectTo(`go-clear-${i}`, 'clear', { memberId: portal.memberId }, [
                    { p: 'process_id', v: PROCESS_ID, vt: 'str' },
                ]),
            ),
            reportNode('list'),
            reportNode('call'),
            reportNode('bind'),
            reportNode('clear'),
        ];
        await bench.deploy(bench.flow(nodes));
        await bench.installAll();
    });

    after(async () => {
        await bench?.stop();
    });

    beforeEach(async () => {
        // The installations' own work (bindings) is over before the counts start.
        await sleep(300);
        for (const portal of bench.farm.portals) portal.control.resetCounters();
    });

    for (const node of ['list', 'call', 'bind']) {
        it(`${node} asks only that portal and its output carries its msg.portal`, async () => {
            const [first, second] = bench.farm.portals;
            await bench.runtime.inject(`go-${node}`);
            await bench.until(() => bench.from(node).length === 1, `${node}'s msg`);
            assert.deepEqual(bench.from(node)[0].portal, {
                memberId: second.memberId,
                domain: second.domain,
            });
            assert.ok(second.control.counters().requests > 0);
            assert.equal(first.control.counters().requests, 0);
        });
    }

    it('clears one process_id on two portals in two calls, one to each, never merged', async () => {
        await bench.runtime.inject('go-clear-0');
        await bench.runtime.inject('go-clear-1');
        await bench.until(() => bench.from('clear').length === 2, 'both clears');
        for (const portal of bench.farm.portals) {
            assert.equal(portal.control.counters().requestsByMethod['event.offline.clear'], 1);
        }
        assert.deepEqual(
            bench
                .from('clear')
                .map((r) => r.portal?.memberId)
                .sort(),
            bench.farm.portals.map((p) => p.memberId).sort(),
        );
    });

    it("removes a get node's ledger of an installation uninstalled with CLEAN, and keeps the others'", async () => {
        const [first, second] = bench.farm.portals;
        const get: FlowNode = {
            id: 'get',
            z: TAB,
            type: 'bitrix24-offline-get',
            portal: APP,
            mode: 'reserve',
            redeliverAfter: 0,
            wires: [['report-get'], []],
        };
        await bench.deploy(
            bench.flow([bindDealsNode(), get, injectTo('go-get', 'get'), reportNode('get')]),
            'nodes',
        );
        await bench.addDeals(first, 1);
        await bench.addDeals(second, 1);
        await bench.runtime.inject('go-get');
        await bench.until(
            () => new Set(bench.from('get').map((r) => r.portal?.memberId)).size === 2,
            'a reservation of each portal',
        );
        const ledger = (portal: typeof first) =>
            path.join(bench.userDir, 'bitrix24', `ledger-get-${portal.memberId}`);
        await fs.access(ledger(first));
        await first.uninstall({ clean: true });
        await bench.until(
            () => bench.from('portals').some((r) => r.topic === 'uninstalled'),
            'the uninstall',
        );
        await bench.until(
            async () =>
                !(await fs.access(ledger(first)).then(
                    () => true,
                    () => false,
                )),
            'the ledger removed',
        );
        await fs.access(ledger(second));
    });
});
