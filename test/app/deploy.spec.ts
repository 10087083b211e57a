import assert from 'node:assert/strict';

import type { NodeRedProcess } from '../../dist/demo/node-red-process';
import { startEmulatorFarm, type EmulatorFarm } from '../../dist/emulator';
import { until } from '../helpers/emulator-flow';
import { NodeRedComms } from '../helpers/node-red-comms';
import { startRuntime } from '../helpers/node-red-runtime';

type DeployType = 'full' | 'nodes' | 'flows';

/**
 * The editor's Deploy button on an application: its portal node changed in the same deploy as
 * the portals node that uses it (docs/node-red.md §2.5). The new application node must take over
 * every installation from the store and the event URL, the old one must be gone.
 */
describe('an application on many portals: its portal node changed in the same deploy (real Node-RED)', function () {
    this.timeout(120_000);
    let farm: EmulatorFarm;
    let stopRuntime: (() => Promise<void>) | undefined;
    let comms: NodeRedComms | undefined;

    beforeEach(async () => {
        farm = await startEmulatorFarm({ portals: 3 });
    });

    afterEach(async () => {
        await comms?.close();
        await stopRuntime?.();
        stopRuntime = undefined;
        await farm.stop();
    });

    const flow = (runtime: NodeRedProcess, concurrency: number, name: string) => [
        { id: 'tab', type: 'tab', label: 'application' },
        { id: 'portals', type: 'bitrix24-portals', z: 'tab', name, portal: 'app', wires: [[]] },
        {
            id: 'app',
            type: 'bitrix24-portal',
            multiPortal: true,
            publicUrl: runtime.url,
            oauthServer: farm.oauthServer,
            maxPortals: 1000,
            concurrency,
            credentials: { clientId: farm.app.clientId, clientSecret: farm.app.clientSecret },
        },
    ];

    for (const type of ['full', 'nodes', 'flows'] as DeployType[]) {
        it(`keeps every installation and the event URL through a ${type} deploy`, async () => {
            const started = await startRuntime();
            stopRuntime = started.stop;
            const { runtime } = started;
            comms = await NodeRedComms.connect(runtime.url);
            const listed = async () => {
                const response = await fetch(`${runtime.url}/bitrix24/portal/app/installations`);
                return ((await response.json()) as { installations: unknown[] }).installations.length;
            };
            await runtime.deploy(flow(runtime, 8, 'before'), { started: true });
            for (const portal of farm.portals) {
                assert.equal((await portal.install(`${runtime.url}/bitrix24/app/app/install`)).status, 200);
            }
            await until(async () => (await listed()) === 3, 20_000, 'three installations');
            await until(
                () => farm.portals.every((portal) => portal.control.bindings(farm.app.clientId).length === 2),
                20_000,
                'every portal bound',
            );

            await runtime.deploy(flow(runtime, 4, 'after'), { started: true, type });
            await until(async () => (await listed()) === 3, 10_000, 'the new node resumed them');
            await until(
                () => comms?.statuses.get('portals')?.text === '3 portals, 0 blocked',
                10_000,
                'the badge',
            );
            await farm.portals[0].uninstall();
            await until(async () => (await listed()) === 2, 10_000, 'the uninstall taken by the new node');
            await until(
                () => comms?.statuses.get('portals')?.text === '2 portals, 0 blocked',
                10_000,
                'the badge',
            );
        });
    }
});
