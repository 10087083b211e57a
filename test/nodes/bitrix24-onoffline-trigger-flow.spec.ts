import assert from 'node:assert/strict';

import type { Node, NodeAPI, NodeDef } from 'node-red';
import helper from 'node-red-node-test-helper';

import type { Emulator } from '../../dist/emulator';
import bindModule from '../../dist/nodes/bitrix24-bind';
import callModule from '../../dist/nodes/bitrix24-call';
import enrichModule from '../../dist/nodes/bitrix24-enrich';
import clearModule from '../../dist/nodes/bitrix24-offline-clear';
import getModule from '../../dist/nodes/bitrix24-offline-get';
import portalModule from '../../dist/nodes/bitrix24-portal';
import triggerModule from '../../dist/nodes/bitrix24-onoffline-trigger';
import { collect, rowsQueued, until, useServedBench, type ServedBench } from '../helpers/emulator-flow';
import { offlineGetNode, sleep } from '../helpers/node-flow';
import { captureRed } from '../helpers/red';

/**
 * What a user puts between enrich and call (a change or function node): one crm.deal.update per
 * deal that still exists, built from its current state.
 */
function writeBackModule(RED: NodeAPI): void {
    RED.nodes.registerType('test-write-back', function (this: Node, config: NodeDef) {
        RED.nodes.createNode(this, config);
        this.on('input', (msg, send, done) => {
            const events = msg.payload as { object?: { id: number; title: string } }[];
            msg.payload = events
                .filter((event) => event.object)
                .map(({ object }) => ({
                    method: 'crm.deal.update',
                    params: { id: object!.id, fields: { TITLE: `Synced: ${object!.title}` } },
                }));
            send(msg);
            done();
        });
    });
}

describe('the whole flow: onoffline-trigger -> offline-get -> enrich -> call -> offline-clear (emulator)', function () {
    this.timeout(60_000);
    const PATH = '/bitrix24/onoffline';
    let bench: ServedBench;
    let emulator: Emulator;
    const red = captureRed();

    useServedBench(red, (started) => {
        bench = started;
        emulator = started.emulator;
    });

    const counters = () => emulator.control.counters();
    const calls = (method: string) => counters().requestsByMethod[method] ?? 0;
    const rowsLeft = () => emulator.control.queueRows({ clientId: emulator.app.clientId, connector: 'erp' });

    function flow() {
        const bind = (id: string, eventName: string) => ({
            id,
            type: 'bitrix24-bind',
            portal: 'portal',
            action: 'bind',
            eventName,
            eventNameType: 'str',
            eventType: 'offline',
            onDeploy: true,
            wires: [[]],
        });
        return [
            bind('bindAdd', 'ONCRMDEALADD'),
            bind('bindUpdate', 'ONCRMDEALUPDATE'),
            {
                id: 'trigger',
                type: 'bitrix24-onoffline-trigger',
                portal: 'portal',
                path: PATH,
                publicUrl: bench.publicUrl,
                autoBind: true,
                minTimeout: 1,
                pollInterval: 2,
                wires: [['get', 'wakeups']],
            },
            offlineGetNode({ wires: [['enrich'], []] }),
            { id: 'enrich', type: 'bitrix24-enrich', portal: 'portal', wires: [['writeBack']] },
            { id: 'writeBack', type: 'test-write-back', wires: [['call']] },
            {
                id: 'call',
                type: 'bitrix24-call',
                portal: 'portal',
                method: '',
                authConnector: 'auto',
                wires: [['clear']],
            },
            { id: 'clear', type: 'bitrix24-offline-clear', portal: 'portal', wires: [['cleared']] },
            { id: 'wakeups', type: 'helper' },
            { id: 'cleared', type: 'helper' },
        ];
    }

    it('settles with every row cleared and no echo of its own write-backs', async () => {
        const portal = bench.portal({ authConnector: 'erp' });
        await helper.load(
            [
                portalModule,
                bindModule,
                triggerModule,
                getModule,
                enrichModule,
                callModule,
                clearModule,
                writeBackModule,
                red.module,
            ],
            [portal.node, { id: 'tab', type: 'tab' }, ...flow().map((n) => ({ z: 'tab', ...n }))],
            { portal: portal.credentials },
        );
        const bindings = () =>
            emulator.control
                .bindings(emulator.app.clientId)
                .map((b) => `${b.event}/${b.connector}`)
                .sort();
        await until(
            () => bindings().length === 3,
            5000,
            'ONCRMDEALADD, ONCRMDEALUPDATE (offline, connector erp) and ONOFFLINEEVENT',
        );
        assert.deepEqual(bindings(), ['ONCRMDEALADD/erp', 'ONCRMDEALUPDATE/erp', 'ONOFFLINEEVENT/']);
        const wakeups = collect('wakeups');
        const cleared = collect('cleared');
        emulator.control.resetCounters();

        // People at work in the portal: two waves of changes, a second apart.
        const change = (action: 'add' | 'update' | 'delete', id?: number, title = 'Deal') =>
            emulator.control.userChange({ entity: 'deal', action, id, fields: { title } }).id;
        const ids = Array.from({ length: 40 }, (_, i) => change('add', undefined, `Deal ${i}`));
        for (let i = 0; i < 100; i++) change('update', ids[i % 30], `Edit ${i}`);
        await sleep(1200);
        for (let i = 0; i < 60; i++) change('update', ids[(i * 7) % 40], `Later edit ${i}`);
        for (const id of ids.slice(37)) change('delete', id);

        // 40 ADD and 160 UPDATE changes (deletes are not bound), written just after each answer.
        await rowsQueued(emulator, 200);
        await until(() => rowsLeft().length === 0, 20_000, 'an empty queue');
        const settledAt = counters();
        // Long enough for a write-back echo to be queued and rung, and for a poll to look.
        await sleep(2500);
        assert.deepEqual(rowsLeft(), [], 'no new rows for the connector');
        const after = counters();
        assert.equal(after.rowsQueued, settledAt.rowsQueued, 'nothing queued after settling');
        assert.equal(after.rowsSuppressed, calls('crm.deal.update'), 'every write-back skipped the queue');

        // Every deal that still exists carries the state the flow wrote back.
        const list = await bench.rest<{ items: { id: number; title: string }[] }>('crm.item.list', {
            entityTypeId: 2,
        });
        const items = list.result?.items ?? [];
        assert.equal(items.length, 37);
        assert.ok(
            items.every((item) => item.title.startsWith('Synced: ')),
            JSON.stringify(items.slice(0, 3)),
        );

        const rings = wakeups.filter((m) => m.topic === 'ONOFFLINEEVENT').length;
        const polls = wakeups.filter((m) => m.topic === 'poll').length;
        assert.ok(rings >= 1, 'woken by a ring');
        assert.equal(after.ringsSent, rings, 'every ring the emulator POSTed reached the flow');
        const figures = {
            changes: after.changes,
            rowsQueued: after.rowsQueued,
            ringsSent: after.ringsSent,
            ringsDropped: after.ringsDropped,
            polls,
            reservationsCleared: cleared.length,
            requests: after.requests,
            'of them batch': calls('batch'),
            'event.offline.get': calls('event.offline.get'),
            'event.offline.clear': calls('event.offline.clear'),
            'crm.item.get (reads)': calls('crm.item.get'),
            'crm.deal.update (write-backs)': calls('crm.deal.update'),
            rowsSuppressed: after.rowsSuppressed,
        };
        console.log(`      ${JSON.stringify(figures)}`);
    });
});
