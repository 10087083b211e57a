import assert from 'node:assert/strict';

import { bindOffline } from '../../dist/demo/demo-emulator';
import type { NodeRedProcess } from '../../dist/demo/node-red-process';
import type { Emulator, EmulatorOptions } from '../../dist/emulator';
import catalog from '../../nodes/locales/en-US/bitrix24-portal.json';
import { emulatorPortalNode } from '../../dist/demo/portal-node';
import { addDeals, startTimedEmulator, until } from '../helpers/emulator-flow';
import { injectNode } from '../helpers/node-flow';
import { startRuntime } from '../helpers/node-red-runtime';

/**
 * Plan tiers (docs/bitrix24.md §0.4, §0.5, §11): a flow that needs a plan feature the portal
 * lacks stops with an error that names the feature, the plan and the user's choice, before it
 * sends the call the portal would refuse; it asks `feature.get` once per portal connection. Run
 * in a real Node-RED process, whose errors are translated from the catalog and logged.
 */
describe('plan features: nodes find out what the portal lacks before they use it', function () {
    this.timeout(60_000);
    const license = catalog.bitrix24.errors.license;
    let runtime: NodeRedProcess;
    let stopRuntime: (() => Promise<void>) | undefined;
    let emulator: Emulator | undefined;
    let caseNumber = 0;
    let ids: { tab: string; portal: string; inject: string; node: string };

    before(async () => {
        ({ runtime, stop: stopRuntime } = await startRuntime({ lang: 'en-US' }));
    });

    after(async () => {
        await stopRuntime?.();
    });

    beforeEach(() => {
        caseNumber++;
        const prefix = `p${caseNumber}`;
        ids = {
            tab: `${prefix}-tab`,
            portal: `${prefix}-portal`,
            inject: `${prefix}-inject`,
            node: `${prefix}-node`,
        };
    });

    afterEach(async () => {
        try {
            await runtime.deploy([], { started: true });
        } finally {
            await emulator?.stop();
            emulator = undefined;
        }
    });

    const calls = (method: string) => emulator!.control.counters().requestsByMethod[method] ?? 0;
    const rows = () => emulator!.control.queueRows({ clientId: emulator!.app.clientId });
    const reserved = () => rows().filter((row) => row.PROCESS_ID).length;

    async function start(options: EmulatorOptions = {}): Promise<Emulator> {
        emulator = await startTimedEmulator(options);
        await bindOffline(emulator, 'ONCRMDEALADD');
        return emulator;
    }

    /** The portal, an inject node wired to `node`, deployed; the log lines from here on. */
    async function deploy(node: Record<string, unknown>, portalExtra: Record<string, unknown> = {}) {
        await runtime.deploy(
            [
                { id: ids.tab, type: 'tab', label: ids.tab },
                emulatorPortalNode(emulator!, { id: ids.portal, burst: 100, rps: 100, ...portalExtra }),
                injectNode(ids.inject, ids.tab, ids.node),
                { id: ids.node, z: ids.tab, portal: ids.portal, wires: [[], []], ...node },
            ],
            { started: true },
        );
    }

    /** Presses the inject button and waits for the error the node logs. */
    async function errorOf(): Promise<string> {
        const from = runtime.lines.length;
        await runtime.inject(ids.inject);
        const logged = () =>
            runtime.lines.slice(from).find((line) => line.includes(`[error] [`) && line.includes(ids.node));
        await until(() => logged() !== undefined, 10_000, 'the error in the log');
        return logged()!;
    }

    const reserveGet = { type: 'bitrix24-offline-get', mode: 'reserve', drain: false, redeliverAfter: 0 };

    it('stops a reserve-mode get node on a plan without rest_offline_extended, naming the feature, the plan and delete mode, before reading', async () => {
        await start({ features: { rest_offline_extended: false } });
        await addDeals(emulator!, 3);
        await deploy(reserveGet);
        const error = await errorOf();
        assert.ok(error.includes(license.rest_offline_extended), error);
        assert.match(error, /Delete on read/);
        assert.equal(calls('event.offline.get'), 0);
        assert.equal(rows().length, 3);
        assert.equal(reserved(), 0);
    });

    it('stops a node with a connector on a plan without rest_auth_connector, naming the feature, Professional and the echo, before calling', async () => {
        await start({ features: { rest_auth_connector: false } });
        await deploy({ type: 'bitrix24-offline-list' }, { authConnector: 'erp' });
        const error = await errorOf();
        assert.ok(error.includes(license.rest_auth_connector), error);
        assert.match(error, /Professional/);
        assert.match(error, /come back to it as events/);
        assert.equal(calls('event.offline.list'), 0);
    });

    it('stops a bind node that binds with a connector on a plan without rest_auth_connector, naming Professional and the echo, before binding', async () => {
        await start({ features: { rest_auth_connector: false } });
        await deploy(
            {
                type: 'bitrix24-bind',
                action: 'bind',
                eventName: 'ONCRMDEALUPDATE',
                eventNameType: 'str',
                eventType: 'offline',
            },
            { authConnector: 'erp' },
        );
        const bindsBefore = calls('event.bind');
        const error = await errorOf();
        assert.match(error, /rest_auth_connector/);
        assert.match(error, /Professional/);
        assert.match(error, /come back to it as events/);
        assert.equal(calls('event.bind'), bindsBefore);
    });

    it('asks feature.get once per portal connection, however many reads the flow makes', async () => {
        await start();
        await deploy(reserveGet);
        for (let i = 1; i <= 3; i++) {
            await addDeals(emulator!, 1);
            await runtime.inject(ids.inject);
            await until(() => reserved() === i, 10_000, `reservation ${i}`);
        }
        assert.equal(calls('feature.get'), 1);
        assert.equal(calls('event.offline.get'), 3);
    });

    it('asks nothing when the flow needs no plan feature: a delete-mode get node without a connector reads on any plan', async () => {
        await start({ features: { rest_offline_extended: false, rest_auth_connector: false } });
        await addDeals(emulator!, 2);
        await deploy({ ...reserveGet, mode: 'delete' });
        await runtime.inject(ids.inject);
        await until(() => rows().length === 0, 10_000, 'the rows read and deleted');
        assert.equal(calls('feature.get'), 0);
    });

    it("gives a WRONG_LICENSE answer the plan's hint when the plan loses the feature after the check", async () => {
        await start();
        await deploy(reserveGet);
        await addDeals(emulator!, 1);
        await runtime.inject(ids.inject);
        await until(() => reserved() === 1, 10_000, 'the first reservation');
        emulator!.control.setFeatures({ rest_offline_extended: false });
        await addDeals(emulator!, 1);
        const error = await errorOf();
        assert.ok(error.includes(license.rest_offline_extended), error);
        assert.match(error, /event\.offline\.get: WRONG_LICENSE/);
    });
});
