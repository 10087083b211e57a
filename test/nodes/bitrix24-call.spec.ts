import assert from 'node:assert/strict';

import helper from 'node-red-node-test-helper';

import { portalNode } from '../../dist/demo/portal-node';
import type { Emulator } from '../../dist/emulator';
import callModule from '../../dist/nodes/bitrix24-call';
import portalModule from '../../dist/nodes/bitrix24-portal';
import { onTab, startFakePortalFlow, type FakePortalFlow } from '../helpers/fake-portal-flow';
import type { FakePortal } from '../helpers/fake-portal';
import { fail, ok } from '../helpers/fake-portal';
import { until, useBench, type Bench } from '../helpers/emulator-flow';
import { nextError, nextMessage } from '../helpers/node-flow';

const CREDS = { clientId: 'local.call', clientSecret: 'cs-call-secret-1', accessToken: 'at-call-node-1234' };

describe('bitrix24-call (fake portal)', () => {
    let portal: FakePortal;
    let fake: FakePortalFlow;

    beforeEach(async () => {
        fake = await startFakePortalFlow();
        portal = fake.portal;
        portal.withBatch();
        portal.on('crm.deal.update', (req) =>
            Number(req.body.id) === 7 ? fail(400, 'NOT_FOUND', 'Not found') : ok(true),
        );
        portal.on('crm.deal.list', () => ok([{ ID: '1' }], { total: 120, next: 50 }));
    });

    afterEach(() => fake.stop());

    async function load(
        call: Record<string, unknown>,
        portalExtra: Record<string, unknown> = {},
        creds: Record<string, string> = CREDS,
    ) {
        const flow = onTab(
            portalNode(portal, { id: 'p1', authConnector: 'erp', ...portalExtra }),
            { id: 'c1', type: 'bitrix24-call', wires: [['out']], ...call },
            { id: 'out', type: 'helper' },
        );
        await helper.load([portalModule, callModule], flow, { p1: creds });
        return { call: helper.getNode('c1'), out: helper.getNode('out') };
    }

    it('calls the method with msg.payload as params and puts the result in msg.payload', async () => {
        const { call, out } = await load({ method: 'crm.deal.update' });
        const received = nextMessage(out);
        call.receive({ payload: { id: 5, fields: { TITLE: 'New' } }, topic: 'kept' });
        const msg = await received;
        assert.equal(msg.payload, true);
        assert.equal(msg.topic, 'kept');
        const sent = portal.calls('crm.deal.update')[0].body;
        assert.deepEqual(sent.fields, { TITLE: 'New' });
        assert.equal(sent.auth_connector, 'erp');
    });

    it('reads the method from the msg, and passes a list page on with total and next', async () => {
        const { call, out } = await load({
            method: 'method',
            methodType: 'msg',
            params: '{}',
            paramsType: 'json',
        });
        const received = nextMessage(out);
        call.receive({ method: 'crm.deal.list' });
        const msg = (await received) as { payload: unknown; total?: number; next?: number };
        assert.deepEqual(msg.payload, [{ ID: '1' }]);
        assert.equal(msg.total, 120);
        assert.equal(msg.next, 50);
        assert.equal(portal.calls('crm.deal.list')[0].body.auth_connector, undefined);
    });

    it('runs 120 commands as 3 requests, in order, one failing item not failing the others', async () => {
        const { call, out } = await load({});
        const received = nextMessage(out);
        call.receive({
            payload: Array.from({ length: 120 }, (_, i) => ({
                method: 'crm.deal.update',
                params: { id: i + 1, fields: { TITLE: `t${i + 1}` } },
            })),
        });
        const results = (await received).payload as {
            method: string;
            result?: unknown;
            error?: { code: string };
        }[];
        assert.equal(portal.requests.length, 3);
        assert.equal(results.length, 120);
        assert.deepEqual(results[0], { method: 'crm.deal.update', result: true });
        assert.equal(results[6].error?.code, 'NOT_FOUND');
        assert.equal(typeof (results[6].error as { message?: unknown }).message, 'string');
        assert.equal(results.filter((r) => r.error).length, 1);
    });

    describe('bad input gets a clear error and no request', () => {
        const cases: [string, Record<string, unknown>, Record<string, unknown>, RegExp][] = [
            ['an empty method', {}, { payload: { id: 1 } }, /no method/],
            ['a malformed method', { method: 'crm deal update' }, { payload: {} }, /not a REST method name/],
            [
                'params that are not an object',
                { method: 'crm.deal.update' },
                { payload: 42 },
                /must be an object/,
            ],
            [
                'a batch item without a method',
                {},
                { payload: [{ method: 'crm.deal.get', params: { id: 1 } }, { params: { id: 2 } }] },
                /command 2 has no method/,
            ],
            [
                'a batch item whose params are not an object',
                {},
                { payload: [{ method: 'crm.deal.get', params: 'id=1' }] },
                /must be an object/,
            ],
        ];
        for (const [what, config, msg, message] of cases) {
            it(`refuses ${what}`, async () => {
                const { call } = await load(config);
                const failed = nextError(call);
                call.receive(msg);
                const { error, msg: failedMsg } = await failed;
                assert.match(error.message, message);
                assert.equal(error.code, 'INVALID_ARGUMENT');
                assert.ok(failedMsg, 'reported with the msg, so a Catch node sees it');
                assert.equal(portal.requests.length, 0);
            });
        }

        it('refuses a msg when no portal is configured', async () => {
            const flow = [
                { id: 'tab', type: 'tab' },
                { id: 'c1', z: 'tab', type: 'bitrix24-call', method: 'crm.deal.get', wires: [[]] },
            ];
            await helper.load([portalModule, callModule], flow);
            const call = helper.getNode('c1');
            const failed = nextError(call);
            call.receive({ payload: { id: 1 } });
            assert.match((await failed).error.message, /errors\.noPortal|No Bitrix24 portal/);
            assert.equal(portal.requests.length, 0);
        });
    });

    it('sends no connector through a webhook portal, even with always', async () => {
        const { call, out } = await load(
            { method: 'crm.deal.update', authConnector: 'always' },
            { authType: 'webhook' },
            { webhookUrl: `${portal.url}/rest/1/hooksecret777/` },
        );
        const received = nextMessage(out);
        call.receive({ payload: { id: 1, fields: {} } });
        await received;
        assert.equal(portal.calls('crm.deal.update')[0].body.auth_connector, undefined);
    });
});

describe('bitrix24-call (emulator)', function () {
    this.timeout(20_000);
    let bench: Bench;
    let emulator: Emulator;

    useBench((started) => {
        bench = started;
        emulator = started.emulator;
    });

    it('runs 120 updates as 3 requests with per-item results, and its writes do not echo into the queue', async () => {
        // The app listens to deal updates on its connector's queue.
        const bound = await bench.rest('event.bind', {
            event: 'ONCRMDEALUPDATE',
            event_type: 'offline',
            auth_connector: 'erp',
        });
        assert.equal(bound.error, undefined);
        const ids = Array.from(
            { length: 119 },
            (_, i) =>
                emulator.control.userChange({ entity: 'deal', action: 'add', fields: { title: `Deal ${i}` } })
                    .id,
        );
        const portal = bench.portal({ authConnector: 'erp' });
        await helper.load(
            [portalModule, callModule],
            [
                portal.node,
                { id: 'tab', type: 'tab' },
                { id: 'c1', z: 'tab', type: 'bitrix24-call', portal: 'portal', wires: [['out']] },
                { id: 'out', z: 'tab', type: 'helper' },
            ],
            { portal: portal.credentials },
        );
        emulator.control.resetCounters();
        const commands = [...ids, 999_999].map((id) => ({
            method: 'crm.deal.update',
            params: { id, fields: { TITLE: `Synced ${id}` } },
        }));
        const received = nextMessage(helper.getNode('out'));
        helper.getNode('c1').receive({ payload: commands });
        const results = (await received).payload as {
            method: string;
            result?: unknown;
            error?: { code: string };
        }[];
        // The portal decides on each write's row just after its answer (docs/bitrix24.md §15.2).
        await until(
            () => {
                const { rowsQueued, rowsSuppressed } = emulator.control.counters();
                return rowsQueued + rowsSuppressed >= 119;
            },
            10_000,
            'the rows of 119 writes written or suppressed',
        );
        const counters = emulator.control.counters();
        assert.equal(counters.requests, 3);
        assert.equal(results.length, 120);
        assert.ok(results.slice(0, 119).every((r) => r.result === true));
        assert.equal(results[119].error?.code, 'NOT_FOUND');
        assert.equal(counters.rowsSuppressed, 119, 'every write carried the connector');
        assert.deepEqual(emulator.control.queueRows({ connector: 'erp' }), []);
        const check = await bench.rest<{ item: { title: string } }>('crm.item.get', {
            entityTypeId: 2,
            id: ids[5],
        });
        assert.equal(check.result?.item.title, `Synced ${ids[5]}`);
        console.log(
            `      120 commands, ${counters.requests} requests, ${results.filter((r) => r.error).length} failed item`,
        );
    });
});
