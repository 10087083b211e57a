import assert from 'node:assert/strict';

import type { NodeRedProcess } from '../../dist/demo/node-red-process';
import { startEmulatorFarm, type EmulatorFarm } from '../../dist/emulator';
import { until } from '../helpers/emulator-flow';
import { startRuntime } from '../helpers/node-red-runtime';
import type { StatusSnapshot } from '../../dist/runtime/status/status-types';

const APP_NODE = 'b24-status-app';

/** An application installed on many portals: each installation is a row of its own. */
describe('status: the installations of an application on many portals', function () {
    this.timeout(60_000);
    let farm: EmulatorFarm;
    let runtime: NodeRedProcess;
    let stop: (() => Promise<void>) | undefined;

    before(async () => {
        farm = await startEmulatorFarm({ portals: 3 });
        ({ runtime, stop } = await startRuntime());
        await runtime.deploy(
            [
                {
                    id: APP_NODE,
                    type: 'bitrix24-portal',
                    multiPortal: true,
                    publicUrl: runtime.url,
                    authType: 'oauth',
                    oauthServer: farm.oauthServer,
                    credentials: { clientId: farm.app.clientId, clientSecret: farm.app.clientSecret },
                },
            ],
            { started: true },
        );
        for (const portal of farm.portals) {
            const answer = await portal.install(`${runtime.url}/bitrix24/app/${APP_NODE}/install`);
            assert.equal(answer.status, 200);
        }
    });

    after(async () => {
        await stop?.();
        await farm?.stop();
    });

    async function rows(): Promise<StatusSnapshot['rows']> {
        const response = await fetch(`${runtime.url}/bitrix24/status`);
        return ((await response.json()) as StatusSnapshot).rows;
    }

    it('shows one row per installation, named by its member_id and domain, and none for the app node', async () => {
        await until(async () => (await rows()).length >= farm.portals.length, 20_000, 'three rows');
        const shown = (await rows())
            .map((row) => ({ nodeId: row.nodeId, memberId: row.memberId, domain: row.domain }))
            .sort((a, b) => a.domain.localeCompare(b.domain));
        const expected = farm.portals
            .map((portal) => ({ nodeId: APP_NODE, memberId: portal.memberId, domain: portal.domain }))
            .sort((a, b) => a.domain.localeCompare(b.domain));
        assert.deepEqual(shown, expected);
    });
});
