/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   reply bodies are arbitrary JSON (typed `any` in helpers.ts) that these tests check field by field */
import assert from 'node:assert/strict';

import { get, postJson, refreshAppTokens, rest, withEmulator, withSink } from './helpers';

const EAST = 'https://oauth.bitrix24.tech';

describe('emulator: token servers by region (docs/bitrix24.md §7, §15.3)', () => {
    it('names its own OAuth listener as the token server by default', async () => {
        await withEmulator({}, async (emulator) => {
            const state = await get(`${emulator.portalUrl}/_emulator/state`);
            assert.equal(state.body.tokenServer, emulator.oauthServer);
        });
    });

    it('names the configured token server as server_domain in the authorize redirect', async () => {
        await withEmulator({ tokenServer: EAST }, async (emulator) => {
            const app = await emulator.control.installApp({ redirectUri: 'http://127.0.0.1:9/back' });
            const page = await get(
                `${emulator.portalUrl}/oauth/authorize/?client_id=${app.clientId}&state=s`,
            );
            const location = new URL(page.headers.get('location') ?? '');
            assert.equal(location.searchParams.get('server_domain'), 'oauth.bitrix24.tech');
        });
    });

    it('names the configured token server as auth[server_endpoint] in the installation callback', async () => {
        await withSink(async (sink) => {
            await withEmulator({ tokenServer: EAST }, async (emulator) => {
                await emulator.control.installApp({ installUrl: `${sink.url}/install` });
                assert.equal(sink.requests[0].form.get('auth[server_endpoint]'), `${EAST}/rest/`);
            });
        });
    });

    it('names the configured token server in token replies: server_endpoint and domain', async () => {
        await withEmulator({ tokenServer: EAST }, async (emulator) => {
            const reply = await refreshAppTokens(emulator);
            assert.deepEqual(
                [reply.body.server_endpoint, reply.body.domain],
                [`${EAST}/rest/`, 'oauth.bitrix24.tech'],
            );
        });
    });

    it('switches the token server at run time over the control API', async () => {
        await withEmulator({}, async (emulator) => {
            const moved = await postJson(`${emulator.portalUrl}/_emulator/`, 'token-server', {
                url: `${EAST}/`,
            });
            assert.equal(moved.body.tokenServer, EAST);
            const back = await postJson(`${emulator.portalUrl}/_emulator/`, 'token-server', {});
            assert.equal(back.body.tokenServer, emulator.oauthServer);
        });
    });

    it('refuses a token server that is not a URL and keeps the one it had', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await postJson(`${emulator.portalUrl}/_emulator/`, 'token-server', {
                url: 'oauth',
            });
            assert.equal(reply.status, 400);
            assert.equal(emulator.control.state().tokenServer, emulator.oauthServer);
        });
    });
    it('runs a regional token server that the portal names, and the first OAuth listener refuses its apps', async () => {
        await withEmulator({ regionalTokenServer: true }, async (emulator) => {
            const { tokenServer } = emulator.control.state();
            assert.notEqual(tokenServer, emulator.oauthServer);
            const refused = await refreshAppTokens(emulator);
            assert.deepEqual([refused.status, refused.body.error], [401, 'invalid_client']);
            const regional = await refreshAppTokens(emulator, emulator.app.refreshToken, tokenServer);
            assert.equal(regional.status, 200);
            assert.equal(regional.body.server_endpoint, `${tokenServer}/rest/`);
        });
    });
});

describe('emulator: a renamed portal (docs/bitrix24.md §7, §15.4)', () => {
    it('answers the old address with 302 to the same path and query on the new one', async () => {
        await withEmulator({}, async (emulator) => {
            const oldUrl = emulator.portalUrl;
            const renamed = await postJson(`${oldUrl}/_emulator/`, 'portal/rename', {});
            assert.notEqual(renamed.body.portalUrl, oldUrl);
            assert.equal(renamed.body.previousUrl, oldUrl);
            const path = `/rest/user.admin.json?auth=${emulator.app.accessToken}`;
            const reply = await get(`${oldUrl}${path}`);
            assert.equal(reply.status, 302);
            assert.equal(reply.headers.get('location'), `${renamed.body.portalUrl}${path}`);
        });
    });

    it('serves REST at the new address with the same member_id', async () => {
        await withEmulator({}, async (emulator) => {
            const memberId = emulator.control.state().memberId;
            const { portalUrl } = await emulator.control.renamePortal();
            assert.equal(emulator.portalUrl, portalUrl);
            assert.equal((await rest(emulator, 'user.admin')).body.result, true);
            assert.equal(emulator.control.state().memberId, memberId);
        });
    });

    it('sends the new domain and client endpoint in installation callbacks after the rename', async () => {
        await withSink(async (sink) => {
            await withEmulator({}, async (emulator) => {
                const { portalUrl } = await emulator.control.renamePortal();
                await emulator.control.installApp({ installUrl: `${sink.url}/install` });
                const form = sink.requests[0].form;
                assert.equal(form.get('auth[domain]'), new URL(portalUrl).host);
                assert.equal(form.get('auth[client_endpoint]'), `${portalUrl}/rest/`);
            });
        });
    });

    it('keeps the control API on the old address', async () => {
        await withEmulator({}, async (emulator) => {
            const oldUrl = emulator.portalUrl;
            await emulator.control.renamePortal();
            const state = await get(`${oldUrl}/_emulator/state`);
            assert.equal(state.status, 200);
            assert.equal(state.body.portalUrl, emulator.portalUrl);
        });
    });

    it('redirects every earlier address after a second rename to the newest one', async () => {
        await withEmulator({}, async (emulator) => {
            const first = emulator.portalUrl;
            const { portalUrl: second } = await emulator.control.renamePortal();
            const { portalUrl: third } = await emulator.control.renamePortal();
            for (const old of [first, second]) {
                const reply = await get(`${old}/rest/profile`);
                assert.equal(reply.headers.get('location'), `${third}/rest/profile`);
            }
        });
    });
});
