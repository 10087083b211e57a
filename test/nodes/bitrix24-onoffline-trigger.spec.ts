import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';

import helper from 'node-red-node-test-helper';
import supertest from 'supertest';

import { bindOffline } from '../../dist/demo/demo-emulator';
import { portalNode } from '../../dist/demo/portal-node';
import type { Emulator } from '../../dist/emulator';
import clearModule from '../../dist/nodes/bitrix24-offline-clear';
import getModule from '../../dist/nodes/bitrix24-offline-get';
import portalModule from '../../dist/nodes/bitrix24-portal';
import triggerModule from '../../dist/nodes/bitrix24-onoffline-trigger';
import { onTab, startFakePortalFlow, type FakePortalFlow } from '../helpers/fake-portal-flow';
import type { FakePortal } from '../helpers/fake-portal';
import { collect, rowsQueued, until, useServedBench, type ServedBench } from '../helpers/emulator-flow';
import {
    lastStatus,
    nextMessage,
    nextWarning,
    offlineGetNode,
    sleep,
    spies,
    type FlowNode,
} from '../helpers/node-flow';
import { captureRed } from '../helpers/red';

const APP_TOKEN = 'apptoken-trigger-51856fef';
const CREDS = { clientId: 'local.trigger', accessToken: 'at-trigger-node-1', applicationToken: APP_TOKEN };

/** A ring as the portal's event server sends it (docs/bitrix24.md §6), with the given application token. */
function ring(token: string | undefined) {
    const form: Record<string, string> = {
        event: 'ONOFFLINEEVENT',
        ts: '1764324000',
        'auth[access_token]': 'at-from-ring-0001',
        'auth[refresh_token]': 'rt-from-ring-0002',
        'auth[domain]': 'portal.example.com',
        'auth[member_id]': 'member-42',
    };
    if (token !== undefined) form['auth[application_token]'] = token;
    return form;
}

describe('bitrix24-onoffline-trigger (fake portal)', () => {
    let portal: FakePortal;
    let fake: FakePortalFlow;
    const red = captureRed();

    beforeEach(async () => {
        fake = await startFakePortalFlow();
        portal = fake.portal;
    });

    afterEach(() => fake.stop());

    async function load(trigger: Record<string, unknown> = {}, creds: Record<string, string> = CREDS) {
        const flow = onTab(
            portalNode(portal, { id: 'p1' }),
            { id: 't1', type: 'bitrix24-onoffline-trigger', pollInterval: 0, wires: [['out']], ...trigger },
            { id: 'out', type: 'helper' },
        );
        await helper.load([portalModule, triggerModule, red.module], flow, { p1: creds });
        return { trigger: helper.getNode('t1'), out: helper.getNode('out') };
    }

    const post = (route = '/bitrix24/onoffline') => supertest(red.red.httpNode).post(route).type('form');

    it('sends a genuine ring within a second, without any token in the msg', async () => {
        const { out } = await load();
        const received = nextMessage(out, 1000);
        await post().send(ring(APP_TOKEN)).expect(200);
        const msg = await received;
        assert.equal(msg.topic, 'ONOFFLINEEVENT');
        assert.deepEqual(msg.payload, {
            event: 'ONOFFLINEEVENT',
            ts: 1764324000,
            domain: 'portal.example.com',
            member_id: 'member-42',
        });
        const text = JSON.stringify(msg);
        for (const secret of [APP_TOKEN, 'at-from-ring-0001', 'rt-from-ring-0002'])
            assert.ok(!text.includes(secret));
        assert.equal(portal.requests.length, 0);
    });

    it('answers forged rings with 200 but sends nothing, and counts them in the status', async () => {
        const { trigger } = await load();
        const msgs = collect('out');
        await post().send(ring('apptoken-trigger-51856fee')).expect(200);
        await post().send(ring(undefined)).expect(200);
        await post().send(ring('')).expect(200);
        await supertest(red.red.httpNode).get('/bitrix24/onoffline').query(ring(APP_TOKEN)).expect(404);
        await sleep(200);
        assert.equal(msgs.length, 0);
        assert.equal(portal.requests.length, 0);
        const status = lastStatus(trigger);
        assert.equal(status.fill, 'yellow');
        assert.equal(status.text, 'bitrix24-onoffline-trigger.status.refused');
    });

    it('refuses a body over 16 KB with 413', async () => {
        await load();
        const msgs = collect('out');
        await post()
            .send({ ...ring(APP_TOKEN), pad: 'x'.repeat(17 * 1024) })
            .expect(413);
        await sleep(100);
        assert.equal(msgs.length, 0);
    });

    it('fails closed when the portal knows no application token', async () => {
        const { trigger } = await load({}, { clientId: 'local.trigger', accessToken: 'at-trigger-node-1' });
        const warned = nextWarning(trigger);
        const msgs = collect('out');
        assert.match(await warned, /noApplicationToken/);
        await post().send(ring(APP_TOKEN)).expect(200);
        await post().send(ring('')).expect(200);
        await sleep(200);
        assert.equal(msgs.length, 0);
    });

    it('polls after each quiet interval, and a ring restarts the wait', async () => {
        await load({ pollInterval: 0.4 });
        const msgs = collect('out');
        const topics = () => msgs.map((m) => m.topic);
        await sleep(200);
        await post().send(ring(APP_TOKEN)).expect(200);
        const rangAt = Date.now();
        // Without the ring the first poll would come 400 ms after the deploy, about 200 ms from now.
        await until(() => topics().includes('poll'), 3000, 'a poll');
        assert.ok(Date.now() - rangAt >= 350, `poll ${Date.now() - rangAt} ms after the ring`);
        assert.deepEqual(topics(), ['ONOFFLINEEVENT', 'poll']);
        const poll = msgs[1].payload as Record<string, unknown>;
        assert.equal(poll.event, 'poll');
        assert.equal(poll.member_id, 'member-42');
        assert.equal(typeof poll.ts, 'number');
        await until(() => topics().length === 3, 3000, 'the next poll');
        assert.deepEqual(topics(), ['ONOFFLINEEVENT', 'poll', 'poll']);
    });

    it('serves its own path and removes the route when closed', async () => {
        await load({ path: 'hooks/b24' });
        await post('/hooks/b24').send(ring(APP_TOKEN)).expect(200);
        await helper.unload();
        await post('/hooks/b24').send(ring(APP_TOKEN)).expect(404);
    });

    it('removes only its own route when closed: another node serving the same path keeps it', async () => {
        await load({ path: 'hooks/shared' });
        // Stands in for another node on the same path, such as an http in node added later.
        red.red.httpNode.post('/hooks/shared', (_req: unknown, res: { sendStatus(code: number): void }) =>
            res.sendStatus(202),
        );
        await post('/hooks/shared').send(ring(APP_TOKEN)).expect(200);
        await helper.unload();
        await post('/hooks/shared').send(ring(APP_TOKEN)).expect(202);
    });

    it('serves nothing when httpNodeRoot is false, and says so', async () => {
        // Replaces the settings of beforeEach (helper.settings does not merge), until the next test.
        helper.settings({ userDir: fake.userDir, httpNodeRoot: false });
        const warned: string[] = [];
        const { trigger } = await load();
        spies(trigger).warn.args.forEach((args) => warned.push(String(args[0])));
        assert.ok(
            warned.some((text) => /noHttpNode/.test(text)),
            warned.join('; '),
        );
        await post().send(ring(APP_TOKEN)).expect(404);
    });

    /** The warnings of the trigger that name the given key. */
    const warningsOf = (node: object, key: string) =>
        spies(node)
            .warn.args.map((args) => String(args[0]))
            .filter((text) => text.includes(key));

    it('warns once at deploy when publicUrl is a loopback address and the portal is on the internet', async () => {
        // Nothing calls the portal: no autoBind, no polls, so its URL need not answer.
        const flow = [
            {
                id: 'p1',
                type: 'bitrix24-portal',
                portalUrl: 'https://b24-warn.bitrix24.com',
                authType: 'oauth',
            },
            { id: 'tab', type: 'tab' },
            {
                id: 't1',
                z: 'tab',
                type: 'bitrix24-onoffline-trigger',
                portal: 'p1',
                publicUrl: 'http://127.0.0.1:1880',
                pollInterval: 0,
                wires: [[]],
            },
        ];
        await helper.load([portalModule, triggerModule, red.module], flow, { p1: CREDS });
        const trigger = helper.getNode('t1');
        await until(() => warningsOf(trigger, 'unreachablePublicUrl').length > 0, 2000, 'the warning');
        await sleep(200);
        assert.equal(warningsOf(trigger, 'unreachablePublicUrl').length, 1);
    });

    it('does not warn about a private publicUrl when the portal is on this machine too', async () => {
        const { trigger } = await load({ publicUrl: 'http://192.168.1.5:1880' });
        await post().send(ring(APP_TOKEN)).expect(200);
        await sleep(200);
        assert.deepEqual(warningsOf(trigger, 'unreachablePublicUrl'), []);
    });
});

describe('bitrix24-onoffline-trigger (emulator)', function () {
    this.timeout(20_000);
    const PATH = '/bitrix24/onoffline';
    let bench: ServedBench;
    let emulator: Emulator;
    const red = captureRed();

    useServedBench(red, (started) => {
        bench = started;
        emulator = started.emulator;
    });

    const doorbells = () =>
        emulator.control.bindings(emulator.app.clientId).filter((b) => b.event === 'ONOFFLINEEVENT');
    const calls = (method: string) => emulator.control.counters().requestsByMethod[method] ?? 0;

    function flow(trigger: Record<string, unknown> = {}): FlowNode[] {
        return [
            {
                id: 't1',
                type: 'bitrix24-onoffline-trigger',
                portal: 'portal',
                path: PATH,
                publicUrl: bench.publicUrl,
                autoBind: true,
                minTimeout: 0,
                pollInterval: 0,
                wires: [['rings', 'get']],
                ...trigger,
            },
            offlineGetNode({ wires: [['events'], []] }),
            { id: 'rings', type: 'helper' },
            { id: 'events', type: 'helper' },
        ];
    }

    async function deploy(nodes: FlowNode[]) {
        const portal = bench.portal();
        await helper.load(
            [portalModule, triggerModule, getModule, red.module],
            [portal.node, { id: 'tab', type: 'tab' }, ...nodes.map((n) => ({ z: 'tab', ...n }))],
            { portal: portal.credentials },
        );
    }

    it('binds ONOFFLINEEVENT to publicUrl + path once over two deploys, and unbinds it when the node is removed', async () => {
        for (let deployment = 1; deployment <= 2; deployment++) {
            await deploy(flow({ minTimeout: 7 }));
            await until(
                () => doorbells().length === 1 && calls('event.get') === deployment,
                5000,
                'the doorbell',
            );
            await helper.unload();
        }
        assert.equal(calls('event.bind'), 1);
        const [doorbell] = doorbells();
        assert.equal(doorbell.handler, `${bench.publicUrl}${PATH}`);
        assert.deepEqual(doorbell.options, { minTimeout: 7 });

        await deploy(flow());
        await until(() => calls('event.get') === 3, 5000, 'the third deploy');
        const portal = bench.portal();
        // A deploy without the trigger: the runtime closes it with removed = true.
        await helper.setFlows([portal.node, { id: 'tab', type: 'tab' }], 'nodes', {
            portal: portal.credentials,
        });
        await until(() => doorbells().length === 0, 5000, 'the unbind');
    });

    it('replaces its doorbell when a deploy changes minTimeout or the path, keeping one binding', async () => {
        const record = path.join(bench.userDir, 'bitrix24', 'doorbell-t1.json');
        const only = async (handlerPath: string, minTimeout: number) => {
            await until(
                () => {
                    const all = doorbells();
                    return (
                        all.length === 1 &&
                        all[0].handler === `${bench.publicUrl}${handlerPath}` &&
                        JSON.stringify(all[0].options) === JSON.stringify({ minTimeout })
                    );
                },
                5000,
                `one doorbell at ${handlerPath} with minTimeout ${minTimeout}: ${JSON.stringify(doorbells())}`,
            );
        };
        await deploy(flow({ minTimeout: 7 }));
        await only(PATH, 7);
        await helper.unload();
        // Bound again as it was, the portal would keep minTimeout 7 (docs/bitrix24.md §5).
        await deploy(flow({ minTimeout: 3 }));
        await only(PATH, 3);
        await helper.unload();
        await deploy(flow({ minTimeout: 3, path: '/bitrix24/ring' }));
        await only('/bitrix24/ring', 3);
        assert.equal(calls('event.unbind'), 2);
        // The node writes its record once the portal has answered the bind, a moment after the binding exists.
        const recorded = async () =>
            (JSON.parse(await fs.readFile(record, 'utf8').catch(() => '{}')) as { handler?: string }).handler;
        await until(
            async () => (await recorded()) === `${bench.publicUrl}/bitrix24/ring`,
            5000,
            'the record of the new doorbell',
        );

        const portal = bench.portal();
        await helper.setFlows([portal.node, { id: 'tab', type: 'tab' }], 'nodes', {
            portal: portal.credentials,
        });
        await until(() => doorbells().length === 0, 5000, 'the unbind');
        await until(async () => !(await fs.stat(record).catch(() => undefined)), 5000, 'the record removed');
    });

    it('binds its doorbell when the record of the last one is damaged, unbinding nothing', async () => {
        await fs.mkdir(path.join(bench.userDir, 'bitrix24'), { recursive: true });
        await fs.writeFile(path.join(bench.userDir, 'bitrix24', 'doorbell-t1.json'), '{"handler": 42}');
        await deploy(flow({ minTimeout: 7 }));
        await until(() => doorbells().length === 1, 5000, 'the doorbell');
        assert.equal(calls('event.unbind'), 0);
    });

    it('sends nothing for forged rings and leaves the queue alone; a genuine ring starts a drain within a second', async () => {
        for (const event of ['ONCRMDEALADD', 'ONCRMDEALUPDATE']) {
            await bindOffline(emulator, event);
        }
        // Rows are queued before the doorbell is bound, so no genuine ring comes yet.
        const ids = [1, 2, 3].map(
            (n) =>
                emulator.control.userChange({ entity: 'deal', action: 'add', fields: { title: `Deal ${n}` } })
                    .id,
        );
        await rowsQueued(emulator, 3);
        await deploy(flow());
        await until(() => doorbells().length === 1, 5000, 'the doorbell');
        const rings = collect('rings');
        const events = collect('events');
        const before = JSON.stringify(emulator.control.queueRows());

        const forge = (token: string | undefined) => {
            const form: Record<string, string> = {
                event: 'ONOFFLINEEVENT',
                ts: '1764324000',
                'auth[domain]': 'x.example',
            };
            if (token !== undefined) form['auth[application_token]'] = token;
            return fetch(`${bench.publicUrl}${PATH}`, { method: 'POST', body: new URLSearchParams(form) });
        };
        assert.equal((await forge('forged-application-token')).status, 200);
        assert.equal((await forge(undefined)).status, 200);
        assert.equal((await forge('')).status, 200);
        assert.equal((await fetch(`${bench.publicUrl}${PATH}?event=ONOFFLINEEVENT`)).status, 404);
        await sleep(300);
        assert.equal(rings.length, 0);
        assert.equal(events.length, 0);
        assert.equal(calls('event.offline.get'), 0);
        assert.equal(JSON.stringify(emulator.control.queueRows()), before, 'the queue is untouched');

        const changedAt = Date.now();
        emulator.control.userChange({
            entity: 'deal',
            action: 'update',
            id: ids[0],
            fields: { title: 'Changed' },
        });
        // A second for the node, on top of the portal's time to write the row and ring (docs/bitrix24.md §15.2).
        const { rowDelayMs, ringDelayMs, ringJitterMs } = emulator.control.state().quirks;
        await until(() => events.length > 0, 1000 + rowDelayMs + ringDelayMs + ringJitterMs, 'the drain');
        const elapsed = Date.now() - changedAt;
        assert.equal(rings.length, 1);
        assert.equal(rings[0].topic, 'ONOFFLINEEVENT');
        assert.equal(emulator.control.counters().ringsSent, 1);
        const drained = events.flatMap((m) => m.payload as { EVENT_NAME: string }[]);
        assert.equal(drained.length, 4);
        console.log(
            `      ring to first events: ${elapsed} ms; rings sent ${emulator.control.counters().ringsSent}`,
        );
    });

    /**
     * People at work in the portal: a deal change every 150 ms for `ms`, each queued for the
     * connector-less offline bindings.
     */
    async function workFor(ms: number) {
        for (const event of ['ONCRMDEALADD', 'ONCRMDEALUPDATE']) {
            assert.equal((await bench.rest('event.bind', { event, event_type: 'offline' })).error, undefined);
        }
        const until = Date.now() + ms;
        while (Date.now() < until) {
            emulator.control.userChange({ entity: 'deal', action: 'add', fields: { title: 'Deal' } });
            await sleep(150);
        }
    }

    /** The trigger, a draining get and a clear, so that each poll or ring finds only new rows. */
    function drainingFlow(trigger: Record<string, unknown>): FlowNode[] {
        const [triggerNode, get] = flow({ pollInterval: 0.5, ...trigger });
        return [
            triggerNode,
            { ...get, wires: [['clear'], []] },
            { id: 'clear', type: 'bitrix24-offline-clear', portal: 'portal', wires: [[]] },
            { id: 'rings', type: 'helper' },
        ];
    }

    async function deployDraining(trigger: Record<string, unknown>) {
        const portal = bench.portal();
        await helper.load(
            [portalModule, triggerModule, getModule, clearModule, red.module],
            [
                portal.node,
                { id: 'tab', type: 'tab' },
                ...drainingFlow(trigger).map((n) => ({ z: 'tab', ...n })),
            ],
            { portal: portal.credentials },
        );
        await until(() => doorbells().length === 1, 5000, 'the doorbell');
    }

    const ringsMissing = () =>
        spies(helper.getNode('t1'))
            .warn.args.map((args) => String(args[0]))
            .filter((text) => text.includes('ringsMissing'));

    it('warns once when polls keep finding rows that no ring announced (the doorbell cannot reach Node-RED)', async () => {
        // The portal rings a path nobody serves: bound, accepted, never heard.
        await deployDraining({ publicUrl: `${bench.publicUrl}/elsewhere` });
        const rings = collect('rings');
        await workFor(3500);
        await until(() => ringsMissing().length > 0, 3000, 'the warning');
        await sleep(1200);
        assert.equal(ringsMissing().length, 1, 'warned once, not at every poll');
        assert.ok(rings.filter((m) => m.topic === 'poll').length >= 4, 'polls went on');
        assert.equal(rings.filter((m) => m.topic === 'ONOFFLINEEVENT').length, 0);
    });

    it('does not warn when the rings arrive', async () => {
        await deployDraining({});
        const rings = collect('rings');
        await workFor(3500);
        await sleep(1200);
        assert.ok(rings.filter((m) => m.topic === 'ONOFFLINEEVENT').length > 0, 'rings came');
        assert.deepEqual(ringsMissing(), []);
    });
});
