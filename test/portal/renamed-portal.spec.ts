import assert from 'node:assert/strict';

import helper from 'node-red-node-test-helper';

import callModule from '../../dist/nodes/bitrix24-call';
import getModule from '../../dist/nodes/bitrix24-offline-get';
import portalModule from '../../dist/nodes/bitrix24-portal';
import type { PortalNode } from '../../dist/nodes/shared/portal-node';
import { addDeals, collect, startBench, until, type Bench } from '../helpers/emulator-flow';
import { nextError, offlineGetNode, spies } from '../helpers/node-flow';

/**
 * A renamed portal (docs/bitrix24.md §15): its old address answers 302 to the new one. The portal
 * node follows once the token server confirms the same portal, warns once, and remembers the new
 * address; a webhook, which cannot confirm it, fails with PORTAL_MOVED and what to do.
 */
describe('portal node: a renamed portal', function () {
    this.timeout(30_000);
    let bench: Bench;

    beforeEach(async () => {
        bench = await startBench();
    });

    afterEach(() => bench.stop());

    const rowsLeft = () => bench.emulator.control.queueRows({ clientId: bench.emulator.app.clientId });
    const makeDeals = (count: number) => addDeals(bench.emulator, count);

    async function load(portalExtra: Record<string, unknown> = {}, credentials?: Record<string, string>) {
        const portal = bench.portal(portalExtra);
        await helper.load(
            [portalModule, getModule, callModule],
            [
                { id: 'tab', type: 'tab' },
                portal.node,
                { z: 'tab', ...offlineGetNode({ mode: 'delete', wires: [['out'], []] }) },
                {
                    id: 'call',
                    z: 'tab',
                    type: 'bitrix24-call',
                    portal: 'portal',
                    method: 'profile',
                    wires: [[]],
                },
                { id: 'out', z: 'tab', type: 'helper' },
            ],
            { portal: credentials ?? portal.credentials },
        );
        const node = helper.getNode('portal') as unknown as PortalNode;
        await node.connection.ready;
        return node;
    }

    /** The portal node's warnings that say the portal moved. */
    const moveWarnings = (node: object) =>
        spies(node)
            .warn.getCalls()
            .filter((call) => call.thisValue === node) // the helper spies on every node at once
            .map((call) => String(call.args[0]))
            .filter((text) => /log\.portalMoved|redirects to/.test(text));

    async function drain(expectedBatches: number, out: unknown[]) {
        helper.getNode('get').receive({});
        await until(() => rowsLeft().length === 0 && out.length >= expectedBatches, 10_000);
    }

    it('keeps draining after the rename, with one warning naming the new address', async () => {
        await makeDeals(3);
        const portal = await load();
        const out = collect('out');
        const { portalUrl } = await bench.emulator.control.renamePortal();
        await drain(1, out);
        await makeDeals(2);
        await drain(2, out);
        const warnings = moveWarnings(portal);
        assert.equal(warnings.length, 1);
        // The test helper's runtime has no catalogs: a translated text names the new address.
        assert.ok(warnings[0] === 'log.portalMoved' || warnings[0].includes(portalUrl), warnings[0]);
    });

    it("shows the new host on the badge of the portal's flow nodes", async () => {
        await makeDeals(1);
        await load();
        const out = collect('out');
        const { portalUrl } = await bench.emulator.control.renamePortal();
        await drain(1, out);
        const get = helper.getNode('get');
        const texts = spies(get)
            .status.getCalls()
            .filter((call) => call.thisValue === get)
            .map((call) => (call.args[0] as { text?: string }).text);
        const moved = `moved to ${new URL(portalUrl).host}`;
        assert.ok(
            texts.some((text) => text === moved || text === 'status.portalMoved'),
            texts.join(' | '),
        );
    });

    it('goes straight to the new address after a restart, without confirming the move again', async () => {
        const first = await load();
        const { portalUrl } = await bench.emulator.control.renamePortal();
        await (await first.connection.client()).call('profile');
        await helper.unload();
        const restarted = await load();
        const client = await restarted.connection.client();
        assert.equal(restarted.connection.portalUrl, portalUrl);
        await client.call('profile');
        assert.equal(client.stats.refreshes, 0, 'a refresh means the move was confirmed again');
    });

    it('takes a portal URL deployed since over the remembered address, without a warning', async () => {
        const first = await load();
        const { portalUrl } = await bench.emulator.control.renamePortal();
        await (await first.connection.client()).call('profile');
        await helper.unload();
        const redeployed = await load({ portalUrl: `${portalUrl}/` });
        await (await redeployed.connection.client()).call('profile');
        assert.equal(redeployed.connection.portalUrl, portalUrl);
        assert.deepEqual(moveWarnings(redeployed), []);
    });

    it('fails the calls of a webhook portal with PORTAL_MOVED, saying to enter the new address', async () => {
        await load({ authType: 'webhook' }, { webhookUrl: bench.emulator.webhookUrl });
        await bench.emulator.control.renamePortal();
        const call = helper.getNode('call');
        const failed = nextError(call);
        call.receive({ payload: {} });
        const { error } = await failed;
        assert.equal(error.code, 'PORTAL_MOVED');
        assert.match(error.message, /enter the new address in the portal node/);
    });
});
