import assert from 'node:assert/strict';

import { sleep } from '../../dist/demo/wait';
import { AppBench, APP, injectTo, TAB, type FlowNode } from './app-bench';

/** The nodes that act on the installation msg.portal names, each with what it needs besides. */
const ACTING: FlowNode[] = [
    { id: 'clear', type: 'bitrix24-offline-clear', process_id: '' },
    { id: 'error', type: 'bitrix24-offline-error' },
    { id: 'call', type: 'bitrix24-call', method: 'profile', methodType: 'str' },
    { id: 'enrich', type: 'bitrix24-enrich' },
    { id: 'list', type: 'bitrix24-offline-list' },
    { id: 'bind', type: 'bitrix24-bind', action: 'bind', eventName: 'ONCRMDEALUPDATE', eventType: 'offline' },
].map((node) => ({ ...node, z: TAB, portal: APP, wires: [[]] }));
// Ids that are no property's value elsewhere (an `action: 'bind'` would read as a reference to 'bind').
for (const node of ACTING) node.id = `the-${node.id}`;

/** What each node gets: enough to act, were it not for the missing msg.portal. */
const PROPS: Record<string, { p: string; v: string; vt: string }[]> = {
    'the-clear': [{ p: 'process_id', v: 'a'.repeat(32), vt: 'str' }],
    'the-error': [
        { p: 'process_id', v: 'a'.repeat(32), vt: 'str' },
        { p: 'message_id', v: 'b'.repeat(32), vt: 'str' },
    ],
};

describe('many portals: a node that acts on one installation, given no msg.portal', function () {
    this.timeout(120_000);
    let bench: AppBench;

    before(async () => {
        bench = await AppBench.start(2);
        const nodes = ACTING.flatMap((node) => [
            node,
            injectTo(`go-${node.id}`, node.id, undefined, PROPS[node.id] ?? []),
        ]);
        // A get node re-reading a reservation needs msg.portal too: a process_id is per portal.
        nodes.push(
            { id: 'get', z: TAB, type: 'bitrix24-offline-get', portal: APP, wires: [[], []] },
            injectTo('go-get', 'get', undefined, [{ p: 'process_id', v: 'c'.repeat(32), vt: 'str' }]),
        );
        await bench.deploy(bench.flow(nodes));
        await bench.installAll();
    });

    after(async () => {
        if (process.env.B24_DEBUG)
            console.log(bench.runtime.lines.slice(-40).join('\n'), JSON.stringify(bench.reports, null, 1));
        await bench?.stop();
    });

    for (const id of [...ACTING.map((node) => node.id), 'get']) {
        it(`${id.replace('the-', '')} fails with "which portal?" and sends no request to any portal`, async () => {
            // The installation's own work (bindings) is over before the count starts.
            await sleep(300);
            for (const portal of bench.farm.portals) portal.control.resetCounters();
            await bench.runtime.inject(`go-${id}`);
            await bench.until(() => bench.from('catch').some((r) => r.failed === id), `${id}'s error`);
            await sleep(300);
            const report = bench.from('catch').find((r) => r.failed === id);
            assert.match(report?.error ?? '', /which portal\? msg\.portal\.memberId is needed/);
            assert.equal(bench.requests(), 0);
        });
    }

    it('names the member_id of an installation it does not know', async () => {
        await bench.deploy(
            bench.flow([
                ...ACTING.filter((node) => node.id === 'the-call'),
                injectTo('go-call', 'the-call', { memberId: 'f'.repeat(32), domain: 'gone.example.com' }),
            ]),
        );
        await bench.runtime.inject('go-call');
        await bench.until(() => bench.from('catch').some((r) => /f{32}/.test(r.error ?? '')), 'the error');
    });
});
