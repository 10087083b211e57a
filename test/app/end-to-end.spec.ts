import assert from 'node:assert/strict';

import helper from 'node-red-node-test-helper';

import type { FarmPortal } from '../../dist/emulator';
import bindModule from '../../dist/nodes/bitrix24-bind';
import callModule from '../../dist/nodes/bitrix24-call';
import clearModule from '../../dist/nodes/bitrix24-offline-clear';
import getModule from '../../dist/nodes/bitrix24-offline-get';
import triggerModule from '../../dist/nodes/bitrix24-onoffline-trigger';
import { CONFIRM_DEFAULTS } from '../editor/editor-files';
import { until } from '../helpers/emulator-flow';
import { offlineGetNode, sleep, spies } from '../helpers/node-flow';
import { captureRed } from '../helpers/red';
import { APP_ID, installAll, loadApp, useAppBench } from './app-bench';

const DEALS_PER_PORTAL = 4;

/**
 * Issue 13's first proof: an application installed on five portals through the install URL;
 * changes on every portal reach the flow with the right msg.portal and are cleared on their own
 * portal, every queue ends empty, no portal answers 503, and a call without msg.portal changes
 * nothing anywhere.
 */
describe('an application on many portals: the whole flow, trigger -> get -> clear, on five portals (emulator farm)', function () {
    this.timeout(90_000);
    const red = captureRed();
    const setup = useAppBench(red, 5);

    function flow(publicUrl: string) {
        return [
            {
                id: 'bind-deals',
                type: 'bitrix24-bind',
                portal: APP_ID,
                action: 'bind',
                eventName: 'ONCRMDEALADD',
                eventNameType: 'str',
                eventType: 'offline',
                handler: '',
                authConnector: '',
                options: '{}',
                optionsType: 'json',
                onDeploy: true,
                wires: [[]],
            },
            {
                id: 'trigger',
                type: 'bitrix24-onoffline-trigger',
                portal: APP_ID,
                path: '/bitrix24/onoffline',
                publicUrl,
                autoBind: true,
                minTimeout: 1,
                pollInterval: 2,
                wires: [['get']],
            },
            offlineGetNode({ portal: APP_ID, wires: [['seen', 'clear'], []] }),
            {
                ...CONFIRM_DEFAULTS,
                id: 'clear',
                type: 'bitrix24-offline-clear',
                portal: APP_ID,
                coalesceMs: 200,
                wires: [[]],
            },
            { id: 'seen', type: 'helper' },
            {
                id: 'call',
                type: 'bitrix24-call',
                portal: APP_ID,
                method: 'crm.deal.add',
                methodType: 'str',
                params: 'payload',
                paramsType: 'msg',
                authConnector: 'auto',
                wires: [[]],
            },
        ];
    }

    const rowsLeft = (portal: FarmPortal) =>
        portal.control.queueRows({ clientId: setup.bench.farm.app.clientId }).length;

    it('delivers the changes of every portal with its msg.portal, clears them there, and leaves every queue empty without a 503', async () => {
        const { bench } = setup;
        await loadApp(red, bench, {
            more: flow(bench.publicUrl),
            modules: [bindModule, triggerModule, getModule, clearModule, callModule],
        });
        const seen: { memberId: string; domain: string; rows: number }[] = [];
        helper.getNode('seen').on('input', (msg: Record<string, unknown>) => {
            const portal = msg.portal as { memberId: string; domain: string };
            seen.push({ ...portal, rows: (msg.payload as unknown[]).length });
        });
        await installAll(bench);
        await until(
            () =>
                bench.farm.portals.every((portal) =>
                    portal.control
                        .bindings(bench.farm.app.clientId)
                        .some((one) => one.event === 'ONCRMDEALADD'),
                ),
            20_000,
            'ONCRMDEALADD bound offline on every portal',
        );
        for (const portal of bench.farm.portals) {
            for (let i = 0; i < DEALS_PER_PORTAL; i++) {
                portal.control.userChange({
                    entity: 'deal',
                    action: 'add',
                    fields: { title: `Deal ${portal.index}-${i}` },
                });
            }
        }
        await until(
            () =>
                bench.farm.portals.every(
                    (portal) => portal.control.counters().rowsQueued >= DEALS_PER_PORTAL,
                ),
            20_000,
            'rows written',
        );
        await until(
            () => bench.farm.portals.every((portal) => rowsLeft(portal) === 0),
            40_000,
            'every queue empty',
        );
        for (const portal of bench.farm.portals) {
            const mine = seen.filter((one) => one.memberId === portal.memberId);
            assert.equal(
                mine.reduce((sum, one) => sum + one.rows, 0),
                DEALS_PER_PORTAL,
                `${portal.domain}: its rows, with its msg.portal`,
            );
            assert.ok(mine.every((one) => one.domain === portal.domain));
            assert.equal(portal.control.counters().status503, 0, `${portal.domain}: no 503`);
        }
    });

    it('changes nothing on any portal for a call without msg.portal, and says which portal is needed', async () => {
        const { bench } = setup;
        await loadApp(red, bench, {
            more: flow(bench.publicUrl),
            modules: [bindModule, triggerModule, getModule, clearModule, callModule],
        });
        await installAll(bench);
        await sleep(500);
        const before = bench.farm.portals.map(
            (portal) => portal.control.counters().requestsByMethod['crm.deal.add'] ?? 0,
        );
        const call = helper.getNode('call');
        call.receive({ payload: { fields: { TITLE: 'where?' } } });
        const { error } = spies(call);
        await until(() => error.callCount > 0, 5000, 'the error');
        assert.match(String(error.lastCall.args[0]), /which portal/i);
        assert.deepEqual(
            bench.farm.portals.map(
                (portal) => portal.control.counters().requestsByMethod['crm.deal.add'] ?? 0,
            ),
            before,
        );
    });
});
