import assert from 'node:assert/strict';

import helper from 'node-red-node-test-helper';

import clearModule from '../../dist/nodes/bitrix24-offline-clear';
import errorModule from '../../dist/nodes/bitrix24-offline-error';
import getModule from '../../dist/nodes/bitrix24-offline-get';
import listModule from '../../dist/nodes/bitrix24-offline-list';
import portalModule from '../../dist/nodes/bitrix24-portal';
import { collect, coreNode, rowsQueued, startBench, until, type Bench } from '../helpers/emulator-flow';
import { offlineGetNode } from '../helpers/node-flow';

const nodes = [portalModule, getModule, clearModule, errorModule, listModule];

describe('the offline queue in a flow', function () {
    this.timeout(60_000);
    let bench: Bench;

    afterEach(() => bench.stop());

    const rowsLeft = () => bench.emulator.control.queueRows({ clientId: bench.emulator.app.clientId });
    const calls = (method: string) => bench.emulator.control.counters().requestsByMethod[method] ?? 0;
    /** Waits for the rows of the changes made so far (written just after the answer, docs/bitrix24.md §15.2). */
    const written = (count: number) => rowsQueued(bench.emulator, count);

    function makeDeals(count: number): number[] {
        return Array.from(
            { length: count },
            (_, i) =>
                bench.emulator.control.userChange({
                    entity: 'deal',
                    action: 'add',
                    fields: { title: `Deal ${i}` },
                }).id,
        );
    }

    function updateDeals(ids: number[], changes: number): void {
        for (let i = 0; i < changes; i++) {
            bench.emulator.control.userChange({
                entity: 'deal',
                action: 'update',
                id: ids[i % ids.length],
                fields: { title: `Change ${i}` },
            });
        }
    }

    type FlowNode = Record<string, unknown> & { id: string; type: string };

    async function load(flow: FlowNode[], portalExtra: Record<string, unknown> = {}) {
        const portal = bench.portal(portalExtra);
        await helper.load(
            [...nodes, coreNode('function/10-function.js'), coreNode('common/20-inject.js')],
            [
                { id: 'tab', type: 'tab' },
                { ...portal.node },
                ...flow.map((n) => ({ z: 'tab', x: 0, y: 0, ...n })),
            ],
            {
                portal: portal.credentials,
            },
        );
    }

    const getNode = (extra: Record<string, unknown> = {}) =>
        offlineGetNode({ output: 'event', wires: [['work'], ['empty']], ...extra });
    const clearNode = (extra: Record<string, unknown> = {}) => ({
        id: 'clear',
        type: 'bitrix24-offline-clear',
        portal: 'portal',
        processId: 'process_id',
        processIdType: 'msg',
        messageIds: 'message_id',
        messageIdsType: 'msg',
        coalesce: true,
        coalesceMs: 1000,
        wires: [['cleared']],
        ...extra,
    });

    it('drains 2,000 changes over 500 deals with every row cleared and one clear call per reservation', async () => {
        bench = await startBench();
        updateDeals(makeDeals(500), 1500);
        await written(2000);
        const queued = rowsLeft().length;
        assert.equal(queued, 1000, 'ADD and UPDATE rows of 500 deals');
        await load([
            {
                id: 'inject',
                type: 'inject',
                once: true,
                onceDelay: 0.1,
                repeat: '',
                props: [],
                wires: [['get']],
            },
            getNode(),
            {
                id: 'work',
                type: 'function',
                func: 'msg.synced = msg.payload.EVENT_DATA.FIELDS.ID;\nreturn msg;',
                outputs: 1,
                wires: [['clear']],
            },
            clearNode(),
            { id: 'cleared', type: 'helper' },
            { id: 'empty', type: 'helper' },
        ]);
        const cleared = collect('cleared');
        await until(() => rowsLeft().length === 0, 30_000, 'an empty queue');
        await until(() => cleared.length === queued, 5_000, 'every msg through clear');
        const reservations = new Set(cleared.map((m) => m.process_id)).size;
        assert.equal(reservations, 20);
        assert.equal(calls('event.offline.clear'), reservations);
        assert.ok(cleared.every((m) => m.cleared === true && typeof m.synced === 'number'));
        console.log(
            `      2,000 changes -> ${queued} rows, ${reservations} reservations, ${calls('event.offline.clear')} clear calls, ${bench.emulator.control.counters().requests} HTTP requests`,
        );
    });

    it('routes failed events to the error queue, clears the rest, and re-drives the failures', async () => {
        bench = await startBench();
        const ids = makeDeals(200);
        await written(200);
        await load([
            getNode({ wires: [['work'], []] }),
            {
                id: 'work',
                type: 'function',
                func: 'return msg.payload.EVENT_DATA.FIELDS.ID % 10 === 0 ? [null, msg] : [msg, null];',
                outputs: 2,
                wires: [['clear'], ['error']],
            },
            clearNode({ wires: [[]] }),
            { ...clearNode({ id: 'error', type: 'bitrix24-offline-error', wires: [['failed']] }) },
            { id: 'failed', type: 'helper' },
            getNode({ id: 'redrive', queue: 'error', wires: [['redriven'], []] }),
            { id: 'redriven', type: 'helper', wires: [] },
        ]);
        const failed = collect('failed');
        helper.getNode('get').receive({});
        const failing = ids.filter((id) => id % 10 === 0).length;
        await until(
            () => failed.length === failing && rowsLeft().every((r) => r.ERROR === 1 && r.PROCESS_ID === ''),
            20_000,
            'failures in the error queue',
        );
        assert.equal(rowsLeft().length, failing);
        const redriven = collect('redriven');
        helper.getNode('redrive').receive({});
        await until(() => redriven.length === failing, 10_000, 're-driven failures');
        const redrivenIds = redriven
            .map((m) => (m.payload as { EVENT_DATA: { FIELDS: { ID: number } } }).EVENT_DATA.FIELDS.ID)
            .sort((a, b) => a - b);
        assert.deepEqual(
            redrivenIds,
            ids.filter((id) => id % 10 === 0),
        );
    });

    it('delivers a reservation again after redeliverAfter when the flow never confirms it', async () => {
        bench = await startBench();
        makeDeals(3);
        await written(3);
        await load([getNode({ redeliverAfter: 1, wires: [['work'], []] }), { id: 'work', type: 'helper' }]);
        const seen = collect('work');
        helper.getNode('get').receive({});
        await until(() => seen.some((m) => m.redelivery === 1), 10_000, 'a redelivery');
        const first = seen.filter((m) => m.redelivery === undefined);
        const again = seen.filter((m) => m.redelivery === 1);
        assert.equal(first.length, 3);
        assert.deepEqual(again.map((m) => m.message_id).sort(), first.map((m) => m.message_id).sort());
        assert.equal(again[0].process_id, first[0].process_id);
    });

    it('delivers every remaining event after a restart in the middle of a drain, each object with its last change', async () => {
        bench = await startBench();
        const ids = makeDeals(300);
        updateDeals(ids, 600);
        await written(900);
        const expected = new Map(
            rowsLeft().map((r) => [
                `${r.EVENT_NAME}:${(r.EVENT_DATA as { FIELDS: { ID: number } }).FIELDS.ID}`,
                r.TIMESTAMP_X,
            ]),
        );
        const delivered = new Map<string, string>();
        const record = (msgs: Record<string, unknown>[]) => {
            for (const m of msgs) {
                const event = m.payload as {
                    EVENT_NAME: string;
                    TIMESTAMP_X: string;
                    EVENT_DATA: { FIELDS: { ID: number } };
                };
                delivered.set(`${event.EVENT_NAME}:${event.EVENT_DATA.FIELDS.ID}`, event.TIMESTAMP_X);
            }
        };
        const flow = [
            getNode({ maxOpen: 2, wires: [['work'], []] }),
            {
                id: 'work',
                type: 'function',
                func: 'return new Promise(resolve => setTimeout(() => resolve(msg), 5));',
                outputs: 1,
                wires: [['clear', 'seen']],
            },
            clearNode({ wires: [[]] }),
            { id: 'seen', type: 'helper' },
        ];
        await load(flow);
        let seen = collect('seen');
        helper.getNode('get').receive({});
        await until(() => seen.length >= 150, 20_000, 'a part of the drain');
        record(seen);
        await helper.unload();
        assert.ok(rowsLeft().length > 0, 'rows are left for the restart');
        await load(flow);
        seen = collect('seen');
        helper.getNode('get').receive({});
        await until(() => rowsLeft().length === 0, 30_000, 'an empty queue after the restart');
        await new Promise((resolve) => setTimeout(resolve, 200));
        record(seen);
        assert.ok(
            seen.some((m) => typeof m.redelivery === 'number'),
            'open reservations came back from the ledger',
        );
        for (const [key, timestamp] of expected) {
            assert.equal(delivered.get(key), timestamp, `${key} delivered with its last change`);
        }
    });

    it('re-reads at start-up a reservation the portal holds but no ledger knows', async () => {
        bench = await startBench();
        makeDeals(5);
        await written(5);
        // The process died between the portal's answer and the ledger write.
        const lost = await bench.rest<{ process_id: string }>('event.offline.get', { clear: 0, limit: 3 });
        const processId = lost.result?.process_id;
        assert.ok(processId);
        await load([
            getNode({ wires: [['clear', 'seen'], []] }),
            clearNode({ wires: [[]] }),
            { id: 'seen', type: 'helper' },
        ]);
        const seen = collect('seen');
        await until(() => seen.length === 3, 10_000, 'the orphan');
        assert.ok(seen.every((m) => m.process_id === processId && m.redelivery === 1));
        helper.getNode('get').receive({});
        await until(() => rowsLeft().length === 0, 10_000, 'an empty queue');
    });

    it('takes back, without a restart, a reservation whose answer was lost on the way', async () => {
        bench = await startBench();
        makeDeals(4);
        await written(4);
        await load([
            { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
            { id: 'errors', type: 'helper' },
            getNode({ redeliverAfter: 1, wires: [['clear', 'seen'], []] }),
            clearNode({ wires: [[]] }),
            { id: 'seen', type: 'helper' },
        ]);
        const seen = collect('seen');
        const errors = collect('errors');
        await until(
            () => bench.emulator.control.counters().requestsByMethod['event.offline.list'] === 1,
            5_000,
            'the start-up scan',
        );
        bench.emulator.control.injectFaults({ lostReplyRate: 1 });
        helper.getNode('get').receive({});
        await until(() => errors.length === 1, 10_000, 'the failed read');
        bench.emulator.control.clearFaults();
        assert.equal(
            rowsLeft().filter((r) => r.PROCESS_ID !== '').length,
            4,
            'the portal reserved the rows anyway',
        );
        // Sooner than the periodic scan (every 5 s at least, confirmed by a second one) would.
        await until(() => rowsLeft().length === 0, 4_000, 'the rows taken back and cleared');
        assert.ok(seen.length === 4 && seen.every((m) => m.redelivery === 1));
    });

    it('delivers a change made while its reservation is open after the reservation is cleared', async () => {
        bench = await startBench();
        const [id] = makeDeals(1);
        await written(1);
        await load([
            getNode({ drain: false, wires: [['work'], []] }),
            { id: 'work', type: 'helper' },
            clearNode({ wires: [[]] }),
        ]);
        const seen = collect('work');
        helper.getNode('get').receive({});
        await until(() => seen.length === 1, 5_000, 'the first delivery');
        bench.emulator.control.userChange({
            entity: 'deal',
            action: 'update',
            id,
            fields: { title: 'during' },
        });
        await written(2);
        helper.getNode('clear').receive(seen[0]);
        await until(() => rowsLeft().every((r) => r.PROCESS_ID === ''), 5_000, 'the clear');
        helper.getNode('get').receive({});
        await until(() => seen.length === 2, 5_000, 'the later change');
        const later = seen[1].payload as { EVENT_NAME: string; EVENT_DATA: { FIELDS: { ID: number } } };
        assert.equal(later.EVENT_NAME, 'ONCRMDEALUPDATE');
        assert.equal(later.EVENT_DATA.FIELDS.ID, id);
    });

    it('lets no 503 reach the flow while draining 5,000 events under the portal limits', async () => {
        bench = await startBench({ limits: { burst: 20, rps: 50 } });
        makeDeals(5000);
        await written(5000);
        await load(
            [
                { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
                { id: 'errors', type: 'helper' },
                getNode({ wires: [['clear'], []] }),
                clearNode({ wires: [[]] }),
            ],
            { burst: 20, rps: 50 },
        );
        const errors = collect('errors');
        helper.getNode('get').receive({});
        await until(() => rowsLeft().length === 0, 50_000, 'an empty queue');
        const counters = bench.emulator.control.counters();
        assert.equal(errors.length, 0);
        console.log(
            `      5,000 events under 20 burst / 50 per s: ${counters.requests} requests, ${counters.status503} answered 503, ${errors.length} errors in the flow`,
        );
    });

    describe('bad input, refused without a request', () => {
        async function loadBad(node: FlowNode) {
            bench = await startBench();
            await load([
                { id: 'catch', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
                { id: 'errors', type: 'helper' },
                node,
            ]);
            bench.emulator.control.resetCounters();
            return collect('errors');
        }
        /** The msg is answered with a clear error, and `method` is never called. */
        const expectRefusal = async (node: FlowNode, msg: Record<string, unknown>, pattern: RegExp) => {
            const errors = await loadBad(node);
            makeDeals(2);
            await written(2);
            const before = JSON.stringify(rowsLeft());
            helper.getNode(node.id).receive(msg);
            await until(() => errors.length === 1, 5_000, 'the error');
            assert.match((errors[0].error as { message: string }).message, pattern);
            const method =
                {
                    'bitrix24-offline-clear': 'event.offline.clear',
                    'bitrix24-offline-error': 'event.offline.error',
                    'bitrix24-offline-get': 'event.offline.get',
                    'bitrix24-offline-list': 'event.offline.list',
                }[node.type] ?? '';
            assert.equal(calls(method), 0, `${method} was called`);
            assert.equal(JSON.stringify(rowsLeft()), before);
        };

        it('refuses a clear msg without a process_id', () =>
            expectRefusal(clearNode(), { payload: {} }, /process_id is needed/));
        it('refuses message ids that are not 32-character strings', () =>
            expectRefusal(clearNode(), { process_id: 'p'.repeat(32), message_id: ['abc'] }, /32-character/));
        it('refuses an error msg without a process_id', () =>
            expectRefusal(
                clearNode({ id: 'error', type: 'bitrix24-offline-error' }),
                { message_id: 'a'.repeat(32) },
                /process_id is needed/,
            ));
        it('refuses a filter that is not an object', () =>
            expectRefusal(getNode({ filter: '"ONCRMDEALUPDATE"' }), {}, /filter must be an object/));
        it('refuses a filter on a field event.offline.get does not allow', () =>
            expectRefusal(getNode({ filter: '{"PROCESS_ID": "x"}' }), {}, /may only use the fields/));
        it('refuses a limit that is not a positive integer', () =>
            expectRefusal(getNode(), { limit: -5 }, /positive whole number/));
        it('refuses malformed filter JSON', () =>
            expectRefusal(getNode({ filter: '{"EVENT_NAME": ' }), {}, /filter must be an object/));
        it('refuses a list filter that is not an object', () =>
            expectRefusal(
                {
                    id: 'list',
                    type: 'bitrix24-offline-list',
                    portal: 'portal',
                    filter: '[1]',
                    filterType: 'json',
                    wires: [[]],
                },
                {},
                /filter must be an object/,
            ));
    });
});
