import assert from 'node:assert/strict';
import path from 'node:path';

import helper from 'node-red-node-test-helper';

import { FileTokenStore } from '../../dist/bitrix24';
import type { Emulator } from '../../dist/emulator';
import portalModule from '../../dist/nodes/bitrix24-portal';
import type { PortalNode } from '../../dist/nodes/shared/portal-node';
import { startServedBench, type ServedBench } from '../helpers/emulator-flow';
import { captureRed } from '../helpers/red';
import { standInTokenServers, type TokenServers } from './bitrix24-token-servers';

const EAST = 'https://oauth.bitrix24.tech';
const APP = { clientId: 'local.regional0000001.00000001', clientSecret: 'regional-client-secret-0123456789' };

/**
 * The portal node goes to the token server Bitrix24 names for the portal (the authorize
 * redirect's server_domain, the installation's server_endpoint), and with no OAuth URL set, to
 * the one of the portal's region (docs/bitrix24.md §7). West has nothing listening here, so a
 * runtime that asks it instead fails.
 */
describe('portal node: the token server of the portal', function () {
    this.timeout(20_000);
    let bench: ServedBench;
    let emulator: Emulator;
    let servers: TokenServers;
    const red = captureRed();

    beforeEach(async () => {
        bench = await startServedBench(red);
        emulator = bench.emulator;
        emulator.control.setTokenServer(EAST);
        servers = await standInTokenServers(() => emulator.oauthServer);
    });

    afterEach(async () => {
        await servers.stop();
        await bench.stop();
    });

    /** A portal node without an OAuth URL, as the editor now creates it. */
    async function load(credentials: Record<string, string>, extra: Record<string, unknown> = {}) {
        const portal = bench.portal({ oauthServer: '', ...extra });
        await helper.load([portalModule, red.module], [portal.node], { portal: credentials });
        const node = helper.getNode('portal') as unknown as PortalNode;
        await node.connection.ready;
        return node;
    }

    /** A call after the portal expired every access token: it needs a refresh to succeed. */
    async function callAfterExpiry(node: PortalNode) {
        emulator.control.expireAccessTokens();
        const client = await node.connection.client();
        return (await client.call<{ CODE: string }>('app.info')).result.CODE;
    }

    const tokenFile = () => new FileTokenStore(path.join(bench.userDir, 'bitrix24', 'tokens-portal.json'));

    it("exchanges Connect's code at the redirect's server_domain, and refreshes there", async () => {
        const node = await load({ clientId: emulator.app.clientId, clientSecret: emulator.app.clientSecret });
        const started = await helper.request().post('/bitrix24/portal/portal/authorize').expect(200);
        const authorizeUrl = new URL((started.body as { url: string }).url);
        authorizeUrl.searchParams.set('redirect_uri', 'https://nodered.example.com/callback');
        const allowed = await fetch(authorizeUrl, { redirect: 'manual' });
        const back = new URL(allowed.headers.get('location') ?? '').searchParams;
        assert.equal(back.get('server_domain'), 'oauth.bitrix24.tech');
        await helper
            .request()
            .get('/bitrix24/portal/oauth/callback')
            .query(Object.fromEntries(back))
            .expect(200);
        assert.equal(await callAfterExpiry(node), emulator.app.clientId);
        assert.deepEqual(servers.eastGrants, ['authorization_code', 'refresh_token']);
        assert.equal((await tokenFile().load())?.serverEndpoint, `${EAST}/rest/`);
    });

    it("accepts the emulator's installation callback naming the regional server, and refreshes there", async () => {
        const node = await load(APP);
        const installed = await emulator.control.installApp({
            ...APP,
            installUrl: `${bench.publicUrl}/bitrix24/install/portal`,
        });
        assert.equal(installed.callbackStatus, 200);
        assert.equal(await callAfterExpiry(node), APP.clientId);
        assert.deepEqual(servers.eastGrants, ['refresh_token']);
    });

    it('refreshes pasted tokens of a .ru portal at the east token server when no OAuth URL is set', async () => {
        servers.alias('portal.bitrix24.ru');
        const portalUrl = `http://portal.bitrix24.ru:${new URL(emulator.portalUrl).port}`;
        const { clientId, clientSecret, accessToken, refreshToken, applicationToken } = emulator.app;
        const node = await load(
            { clientId, clientSecret, accessToken, refreshToken, applicationToken },
            { portalUrl },
        );
        assert.equal(await callAfterExpiry(node), clientId);
        assert.deepEqual(servers.eastGrants, ['refresh_token']);
    });

    it("refuses an installation callback whose server_endpoint is neither Bitrix24's nor the configured one", async () => {
        emulator.control.setTokenServer(null); // the emulator names its own listener, a stranger here
        await load(APP);
        const installed = await emulator.control.installApp({
            ...APP,
            installUrl: `${bench.publicUrl}/bitrix24/install/portal`,
        });
        assert.equal(installed.callbackStatus, 400);
        assert.equal(await tokenFile().load(), undefined);
    });
});
