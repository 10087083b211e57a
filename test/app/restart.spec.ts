import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort, NodeRedProcess } from '../../dist/demo/node-red-process';
import { startEmulatorFarm, type EmulatorFarm, type FarmPortal } from '../../dist/emulator';
import { until } from '../helpers/emulator-flow';
import { PACKAGE_DIR } from '../helpers/node-red-runtime';
import { offlineGetNode } from '../helpers/node-flow';
import { CONFIRM_DEFAULTS } from '../editor/editor-files';

interface Listed {
    installUrl: string;
    eventUrl: string;
    installations: { memberId: string; domain: string; status: string }[];
}

describe('an application on many portals: a restart after SIGKILL resumes every installation (real Node-RED)', function () {
    this.timeout(120_000);
    let farm: EmulatorFarm;
    let userDir: string;
    let runtime: NodeRedProcess | undefined;
    let port: number;

    beforeEach(async () => {
        farm = await startEmulatorFarm({ portals: 5 });
        userDir = await fs.mkdtemp(path.join(os.tmpdir(), 'b24-app-'));
        port = await freePort();
    });

    afterEach(async () => {
        await runtime?.stop();
        runtime = undefined;
        await farm.stop();
        await fs.rm(userDir, { recursive: true, force: true });
    });

    const start = async () => {
        runtime = await NodeRedProcess.start({ userDir, packageDir: PACKAGE_DIR, port });
        return runtime;
    };
    const listed = async (): Promise<Listed> => {
        const response = await fetch(`${runtime!.url}/bitrix24/portal/app/installations`);
        assert.equal(response.status, 200);
        return (await response.json()) as Listed;
    };
    const eventGets = (portal: FarmPortal) => portal.control.counters().requestsByMethod['event.get'] ?? 0;

    it('lists the five installations again, and each works with its stored tokens', async () => {
        const first = await start();
        await first.deploy(
            [
                { id: 'tab', type: 'tab', label: 'application' },
                {
                    id: 'app',
                    type: 'bitrix24-portal',
                    multiPortal: true,
                    publicUrl: first.url,
                    oauthServer: farm.oauthServer,
                    maxPortals: 1000,
                    concurrency: 8,
                    credentials: { clientId: farm.app.clientId, clientSecret: farm.app.clientSecret },
                },
            ],
            { started: true },
        );
        const { installUrl, eventUrl } = await listed();
        assert.equal(installUrl, `${first.url}/bitrix24/app/app/install`);
        for (const portal of farm.portals) assert.equal((await portal.install(installUrl)).status, 200);
        await until(async () => (await listed()).installations.length === 5, 20_000, 'five installations');
        for (const portal of farm.portals) {
            const logged = `The application was installed on ${portal.domain} (member_id ${portal.memberId}).`;
            await until(() => first.lines.some((line) => line.includes(logged)), 5000, logged);
        }
        await until(
            () =>
                farm.portals.every((portal) =>
                    portal.control.bindings(farm.app.clientId).some((one) => one.handler === eventUrl),
                ),
            20_000,
            'every portal bound to the event URL',
        );

        await first.kill();
        const stored = (await fs.readdir(path.join(userDir, 'bitrix24'))).map((file) =>
            fs.readFile(path.join(userDir, 'bitrix24', file), 'utf8'),
        );
        const text = (await Promise.all(stored)).join('\n');
        for (const portal of farm.portals) {
            for (const { accessToken, refreshToken } of portal.control.issuedTokens()) {
                assert.ok(
                    !text.includes(accessToken) && !text.includes(refreshToken),
                    'tokens stored encrypted',
                );
            }
        }

        const before = farm.portals.map(eventGets);
        farm.portals[2].control.expireAccessTokens();
        await start();
        // The stored installations are read once the flows have started.
        await until(async () => (await listed()).installations.length === 5, 10_000, 'five resumed');
        const again = (await listed()).installations;
        assert.deepEqual(
            again.map((one) => [one.memberId, one.domain, one.status]).sort(),
            farm.portals.map((portal) => [portal.memberId, portal.domain, 'active']).sort(),
        );
        // On start each installation checks its bindings with its stored tokens (an expired one refreshed).
        await until(
            () => farm.portals.every((portal, index) => eventGets(portal) > before[index]),
            20_000,
            'event.get on every portal',
        );
        // Its stored application token still tells its events from forged ones.
        await farm.portals[1].uninstall();
        await until(async () => (await listed()).installations.length === 4, 10_000, 'the uninstall taken');
    });

    it('delivers and clears every change on every portal across a SIGKILL in the middle: nothing is lost', async () => {
        const first = await start();
        const flow = (publicUrl: string) => [
            { id: 'tab', type: 'tab', label: 'application' },
            {
                id: 'bind-deals',
                type: 'bitrix24-bind',
                z: 'tab',
                portal: 'app',
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
                z: 'tab',
                portal: 'app',
                path: '/bitrix24/onoffline',
                publicUrl,
                autoBind: true,
                minTimeout: 1,
                pollInterval: 2,
                wires: [['get']],
            },
            { ...offlineGetNode({ portal: 'app', limit: 5, wires: [['clear'], []] }), z: 'tab' },
            {
                ...CONFIRM_DEFAULTS,
                id: 'clear',
                type: 'bitrix24-offline-clear',
                z: 'tab',
                portal: 'app',
                wires: [[]],
            },
            {
                id: 'app',
                type: 'bitrix24-portal',
                multiPortal: true,
                publicUrl,
                oauthServer: farm.oauthServer,
                maxPortals: 1000,
                concurrency: 2,
                credentials: { clientId: farm.app.clientId, clientSecret: farm.app.clientSecret },
            },
        ];
        await first.deploy(flow(first.url), { started: true });
        for (const portal of farm.portals) {
            assert.equal((await portal.install(`${first.url}/bitrix24/app/app/install`)).status, 200);
        }
        await until(
            () =>
                farm.portals.every((portal) =>
                    portal.control.bindings(farm.app.clientId).some((one) => one.event === 'ONCRMDEALADD'),
                ),
            20_000,
            'ONCRMDEALADD bound on every portal',
        );
        const rowsLeft = () =>
            farm.portals.map((portal) => portal.control.queueRows({ clientId: farm.app.clientId }).length);
        const cleared = (portal: FarmPortal) =>
            portal.control.counters().requestsByMethod['event.offline.clear'] ?? 0;
        for (const portal of farm.portals) {
            for (let i = 0; i < 30; i++) {
                portal.control.userChange({ entity: 'deal', action: 'add', fields: { title: `Deal ${i}` } });
            }
        }
        await until(() => farm.portals.some((portal) => cleared(portal) > 0), 20_000, 'some rows cleared');
        await first.kill();
        assert.ok(
            rowsLeft().some((rows) => rows > 0),
            'rows left when killed',
        );
        await start();
        await until(
            () => rowsLeft().every((rows) => rows === 0),
            60_000,
            `every queue empty (${rowsLeft().join()})`,
        );
        for (const portal of farm.portals)
            assert.equal(portal.control.counters().status503, 0, portal.domain);
    });
});
