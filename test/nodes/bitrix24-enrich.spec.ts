import assert from 'node:assert/strict';

import helper from 'node-red-node-test-helper';

import { bindOffline } from '../../dist/demo/demo-emulator';
import { portalNode } from '../../dist/demo/portal-node';
import type { Emulator } from '../../dist/emulator';
import enrichModule from '../../dist/nodes/bitrix24-enrich';
import portalModule from '../../dist/nodes/bitrix24-portal';
import { onTab, startFakePortalFlow, type FakePortalFlow } from '../helpers/fake-portal-flow';
import type { FakePortal } from '../helpers/fake-portal';
import { fail, ok } from '../helpers/fake-portal';
import { collect, rowsQueued, useBench, type Bench } from '../helpers/emulator-flow';
import { nextError, nextMessage, nextWarning, sleep, spies } from '../helpers/node-flow';

const CREDS = { clientId: 'local.enrich', accessToken: 'at-enrich-node-1' };

const event = (name: string, id: number, n = id) => ({
    ID: String(n),
    TIMESTAMP_X: '2026-11-28T10:00:00+00:00',
    EVENT_NAME: name,
    EVENT_DATA: { FIELDS: { ID: String(id) } },
    EVENT_ADDITIONAL: { user_id: '1' },
    MESSAGE_ID: String(n).padStart(32, 'a'),
});

/** An ONTASKUPDATE row as the portal writes it (docs/bitrix24.md §11). */
const taskEvent = (id: number) => ({
    ...event('ONTASKUPDATE', id),
    EVENT_DATA: { FIELDS_BEFORE: { ID: String(id) }, FIELDS_AFTER: { ID: String(id) } },
});

describe('bitrix24-enrich (fake portal)', () => {
    let portal: FakePortal;
    let fake: FakePortalFlow;

    beforeEach(async () => {
        fake = await startFakePortalFlow();
        portal = fake.portal;
        portal.withBatch();
        portal.on('crm.item.get', (req) =>
            Number(req.body.id) === 404
                ? fail(400, 'NOT_FOUND', 'Item not found')
                : ok({
                      item: { id: Number(req.body.id), title: `deal ${String(req.body.id)}`, stageId: 'NEW' },
                  }),
        );
        portal.on('crm.product.get', (req) => ok({ ID: String(req.body.id), NAME: 'Product' }));
    });

    afterEach(() => fake.stop());

    async function load(enrich: Record<string, unknown> = {}) {
        const flow = onTab(
            portalNode(portal, { id: 'p1' }),
            { id: 'e1', type: 'bitrix24-enrich', wires: [['out']], ...enrich },
            { id: 'out', type: 'helper' },
        );
        await helper.load([portalModule, enrichModule], flow, { p1: CREDS });
        return { enrich: helper.getNode('e1'), out: helper.getNode('out') };
    }

    it('adds .object to the events of a batch msg, reading each object once, and keeps the msg', async () => {
        const { enrich, out } = await load();
        const received = nextMessage(out);
        enrich.receive({
            payload: [
                event('ONCRMDEALUPDATE', 1, 1),
                event('ONCRMDEALADD', 1, 2),
                event('ONCRMDEALUPDATE', 404, 3),
            ],
            process_id: 'p'.repeat(32),
            count: 3,
        });
        const msg = (await received) as { payload: Record<string, unknown>[]; process_id: string };
        assert.equal(msg.process_id, 'p'.repeat(32));
        assert.deepEqual(msg.payload[0].object, { id: 1, title: 'deal 1', stageId: 'NEW' });
        assert.deepEqual(msg.payload[1].object, msg.payload[0].object);
        assert.equal(msg.payload[2].deleted, true);
        assert.equal(portal.requests.length, 1);
        assert.equal(Object.keys(portal.calls('batch')[0].body.cmd as object).length, 2);
    });

    it('enriches a single-event msg and applies select', async () => {
        const { enrich, out } = await load({ select: 'TITLE' });
        const received = nextMessage(out);
        enrich.receive({ payload: event('ONCRMDEALUPDATE', 5), message_id: 'x' });
        const msg = (await received) as { payload: Record<string, unknown>; message_id: string };
        assert.deepEqual(msg.payload.object, { id: 5, title: 'deal 5' });
        assert.equal(msg.message_id, 'x');
    });

    it('reads the objects of one-event msgs that arrive together in one request, as offline-get sends them', async () => {
        const { enrich } = await load();
        const msgs = collect('out');
        // offline-get's event output: one msg per event, 50 per reservation, sent at once.
        for (let i = 1; i <= 50; i++) {
            enrich.receive({ payload: event('ONCRMDEALUPDATE', i === 50 ? 404 : i), message_id: String(i) });
        }
        for (let i = 0; i < 100 && msgs.length < 50; i++) await sleep(20);
        assert.equal(msgs.length, 50);
        const byId = new Map(msgs.map((m) => [m.message_id, m.payload as Record<string, unknown>]));
        assert.deepEqual(byId.get('7')?.object, { id: 7, title: 'deal 7', stageId: 'NEW' });
        assert.equal(byId.get('50')?.deleted, true);
        assert.equal(portal.requests.length, 1, `${portal.requests.length} requests for 50 reads`);
        assert.equal(Object.keys(portal.calls('batch')[0].body.cmd as object).length, 50);
    });

    it('drops a single event whose object is gone with onMissing drop, finishing the msg', async () => {
        const { enrich } = await load({ onMissing: 'drop' });
        const msgs = collect('out');
        enrich.receive({ payload: event('ONCRMDEALDELETE', 5) });
        await sleep(150);
        assert.equal(msgs.length, 0);
        assert.equal(portal.requests.length, 0);
    });

    it('marks a task event deleted when tasks.task.get answers an empty result, as it does for a deleted task', async () => {
        portal.on('tasks.task.get', () => ok([]));
        const { enrich, out } = await load();
        const received = nextMessage(out);
        enrich.receive({ payload: taskEvent(31) });
        const msg = (await received) as { payload: Record<string, unknown> };
        assert.equal(msg.payload.deleted, true);
        assert.equal(msg.payload.object, undefined);
    });

    it('drops a task event whose tasks.task.get answer is empty with onMissing drop', async () => {
        portal.on('tasks.task.get', (req) =>
            Number(req.body.taskId) === 31 ? ok([]) : ok({ task: { id: String(req.body.taskId) } }),
        );
        const { enrich, out } = await load({ onMissing: 'drop' });
        const received = nextMessage(out);
        enrich.receive({ payload: [taskEvent(31), taskEvent(32)] });
        const msg = (await received) as { payload: Record<string, unknown>[] };
        assert.deepEqual(
            msg.payload.map((e) => e.object),
            [{ id: '32' }],
        );
    });

    it('lets unmapped events pass untouched with one warning per event name, or reads them with msg.enrichMap', async () => {
        const { enrich, out } = await load();
        const warned = nextWarning(enrich);
        let received = nextMessage(out);
        enrich.receive({ payload: [event('ONCRMPRODUCTUPDATE', 7), event('ONCRMPRODUCTUPDATE', 8)] });
        const first = (await received) as { payload: Record<string, unknown>[] };
        assert.match(await warned, /unmapped/);
        assert.deepEqual(first.payload[0], event('ONCRMPRODUCTUPDATE', 7));
        received = nextMessage(out);
        enrich.receive({ payload: [event('ONCRMPRODUCTUPDATE', 9)] });
        await received;
        assert.equal(spies(enrich).warn.callCount, 1);
        received = nextMessage(out);
        enrich.receive({
            payload: [event('ONCRMPRODUCTUPDATE', 9)],
            enrichMap: { 'ONCRMPRODUCT*': 'crm.product.get' },
        });
        const mapped = (await received) as { payload: Record<string, unknown>[] };
        assert.deepEqual(mapped.payload[0].object, { ID: '9', NAME: 'Product' });
    });

    describe('bad input gets a clear error and no request', () => {
        const cases: [string, Record<string, unknown>, RegExp][] = [
            ['a payload that is not an event', { payload: 42 }, /offline event/],
            [
                'a list with something that is not an event',
                { payload: [event('ONCRMDEALUPDATE', 1), { ID: 1 }] },
                /offline event/,
            ],
            [
                'a malformed enrichMap',
                { payload: [event('ONCRMDEALUPDATE', 1)], enrichMap: { ONX: 5 } },
                /enrich map/,
            ],
        ];
        for (const [what, msg, message] of cases) {
            it(`refuses ${what}`, async () => {
                const { enrich } = await load();
                const failed = nextError(enrich);
                enrich.receive(msg);
                const { error } = await failed;
                assert.match(error.message, message);
                assert.equal(portal.requests.length, 0);
            });
        }
    });
});

describe('bitrix24-enrich (emulator)', function () {
    this.timeout(20_000);
    let bench: Bench;
    let emulator: Emulator;

    useBench((started) => {
        bench = started;
        emulator = started.emulator;
    });

    it('enriches 200 events of 120 deals, 10 of them deleted, with at most 3 requests, marking the deleted', async () => {
        for (const event of ['ONCRMDEALADD', 'ONCRMDEALUPDATE', 'ONCRMDEALDELETE']) {
            await bindOffline(emulator, event);
        }
        const change = (action: 'add' | 'update' | 'delete', id?: number) =>
            emulator.control.userChange({
                entity: 'deal',
                action,
                id,
                fields: { title: `Deal ${id ?? 'new'}` },
            }).id;
        const ids = Array.from({ length: 120 }, () => change('add'));
        for (const id of ids.slice(0, 70)) change('update', id);
        const gone = ids.slice(110);
        for (const id of gone) change('delete', id);
        // 120 ADD rows, 70 UPDATE rows, 10 DELETE rows, as offline get hands them over.
        await rowsQueued(emulator, 200);
        const reserved = await bench.rest<{
            process_id: string;
            events: { EVENT_NAME: string; EVENT_DATA: { FIELDS: { ID: number } } }[];
        }>('event.offline.get', { clear: 0, limit: 500 });
        const events = reserved.result?.events ?? [];
        assert.equal(events.length, 200);

        const portal = bench.portal();
        await helper.load(
            [portalModule, enrichModule],
            [
                portal.node,
                { id: 'tab', type: 'tab' },
                {
                    id: 'e1',
                    z: 'tab',
                    type: 'bitrix24-enrich',
                    portal: 'portal',
                    select: 'ID, TITLE',
                    wires: [['out']],
                },
                { id: 'out', z: 'tab', type: 'helper' },
            ],
            { portal: portal.credentials },
        );
        emulator.control.resetCounters();
        const received = nextMessage(helper.getNode('out'));
        helper.getNode('e1').receive({ payload: events, process_id: reserved.result?.process_id });
        const msg = (await received) as {
            payload: (Record<string, unknown> & { EVENT_DATA: { FIELDS: { ID: number } } })[];
        };
        const counters = emulator.control.counters();
        assert.ok(counters.requests <= 3, `${counters.requests} requests`);
        assert.equal(counters.requestsByMethod['crm.item.get'], 120, 'each deal read once');

        const idOf = (event: { EVENT_DATA: { FIELDS: { ID: number } } }) =>
            Number(event.EVENT_DATA.FIELDS.ID);
        const deleted = msg.payload.filter((e) => e.deleted === true);
        assert.equal(deleted.length, 20, 'the ADD and DELETE rows of the 10 deleted deals');
        assert.ok(deleted.every((e) => gone.includes(idOf(e)) && e.object === undefined));
        const alive = msg.payload.filter((e) => !e.deleted);
        assert.equal(alive.length, 180);
        assert.ok(alive.every((e) => (e.object as { id: number }).id === idOf(e)));
        assert.deepEqual(Object.keys(alive[0].object as object).sort(), ['id', 'title']);
        console.log(
            `      ${msg.payload.length} events, ${counters.requests} requests, ${counters.batchSubCalls} reads, ${deleted.length} marked deleted`,
        );
    });
});
