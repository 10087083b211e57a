import assert from 'node:assert/strict';
import path from 'node:path';

import helper from 'node-red-node-test-helper';
import supertest from 'supertest';

import { portalNode } from '../../dist/demo/portal-node';
import { FileTokenStore } from '../../dist/bitrix24';
import portalModule from '../../dist/nodes/bitrix24-portal';
import type { PortalNode } from '../../dist/nodes/shared/portal-node';
import { startFakePortalFlow, type FakePortalFlow } from '../helpers/fake-portal-flow';
import type { FakePortal } from '../helpers/fake-portal';
import { fail, ok } from '../helpers/fake-portal';
import { captureRed } from '../helpers/red';

const CREDS = {
    clientId: 'local.app1',
    clientSecret: 'cs-portal-node-secret',
    accessToken: 'at-deployed-11112222',
    refreshToken: 'rt-deployed-33334444',
    applicationToken: 'apptoken-55556666',
};

describe('bitrix24-portal', () => {
    let portal: FakePortal;
    let fake: FakePortalFlow;
    const red = captureRed();

    beforeEach(async () => {
        fake = await startFakePortalFlow();
        portal = fake.portal;
        portal.withBatch();
    });

    afterEach(() => fake.stop());

    function flow(extra: Record<string, unknown> = {}) {
        return [portalNode(portal, { id: 'p1', name: 'test', ...extra })];
    }

    async function load(extra: Record<string, unknown> = {}, creds: Record<string, string> = CREDS) {
        await helper.load([portalModule, red.module], flow(extra), { p1: creds });
        return helper.getNode('p1') as unknown as PortalNode;
    }

    function tokenFile() {
        return new FileTokenStore(path.join(fake.userDir, 'bitrix24', 'tokens-p1.json'));
    }

    /** The OAuth server hands out a new pair for the current refresh token, once. */
    function refreshes(newAccess: string, newRefresh: string) {
        let current = CREDS.refreshToken;
        portal.on('oauth/token', (req) => {
            if (req.body.refresh_token !== current) return fail(400, 'invalid_grant');
            current = newRefresh;
            return { body: { access_token: newAccess, refresh_token: newRefresh, expires_in: 3600 } };
        });
    }

    describe('installation callback', () => {
        const install = (fields: Record<string, string>) =>
            supertest(red.red.httpNode).post('/bitrix24/install/p1').type('form').send(fields);
        const installForm = (endpoint: string) => ({
            event: 'ONAPPINSTALL',
            'auth[access_token]': 'at-installed-77778888',
            'auth[refresh_token]': 'rt-installed-9999aaaa',
            'auth[application_token]': 'apptoken-installed-bbbb',
            'auth[client_endpoint]': `${endpoint}/rest/`,
            'auth[server_endpoint]': `${portal.url}/rest/`,
            'auth[member_id]': 'member-1',
            'auth[expires_in]': '3600',
        });

        it('stores the tokens of a callback from the configured portal once app.info accepts them', async () => {
            portal.on('app.info', (req) =>
                req.body.auth === 'at-installed-77778888'
                    ? ok({ ID: 1, CODE: 'local.app1', INSTALLED: true })
                    : fail(401, 'NO_AUTH_FOUND'),
            );
            portal.on('profile', (req) =>
                req.body.auth === 'at-installed-77778888' ? ok({ ID: '1' }) : fail(401, 'NO_AUTH_FOUND'),
            );
            const node = await load();
            await install(installForm(portal.url)).expect(200);
            const stored = await tokenFile().load();
            assert.equal(stored?.refreshToken, 'rt-installed-9999aaaa');
            assert.equal(stored?.applicationToken, 'apptoken-installed-bbbb');
            await (await node.connection.client()).call('profile');
            assert.equal(await node.connection.applicationToken(), 'apptoken-installed-bbbb');
        });

        it('refuses a callback from another portal without calling it or storing anything', async () => {
            await load();
            await install(installForm('https://other.bitrix24.com')).expect(400);
            assert.equal(portal.requests.length, 0);
            assert.equal(await tokenFile().load(), undefined);
        });

        it('refuses a callback whose tokens do not work, storing nothing', async () => {
            portal.on('app.info', () => fail(401, 'NO_AUTH_FOUND', 'Wrong authorization data'));
            await load();
            await install(installForm(portal.url)).expect(403);
            assert.equal(portal.calls('app.info').length, 1);
            assert.equal(await tokenFile().load(), undefined);
        });

        it('refuses a GET and an oversized body', async () => {
            await load();
            await supertest(red.red.httpNode).get('/bitrix24/install/p1').expect(404);
            await install({ 'auth[access_token]': 'x'.repeat(70 * 1024) }).expect(413);
            assert.equal(await tokenFile().load(), undefined);
        });
    });

    describe('tokens across restarts', () => {
        it('starts from the token file after a refresh rotated the deployed pair', async () => {
            refreshes('at-rotated-1', 'rt-rotated-1');
            let valid = 'at-rotated-1';
            portal.on('profile', (req) =>
                req.body.auth === valid ? ok({ ID: '1' }) : fail(401, 'expired_token'),
            );
            const first = await load();
            await (await first.connection.client()).call('profile');
            await helper.unload();
            // The deployed refresh token is spent; a restart that used it would get invalid_grant.
            valid = 'at-rotated-1';
            const second = await load();
            await (await second.connection.client()).call('profile');
            assert.equal(portal.calls('oauth/token').length, 1);
        });

        it('prefers credentials entered since the file was written', async () => {
            refreshes('at-rotated-1', 'rt-rotated-1');
            portal.on('profile', (req) =>
                req.body.auth === 'at-rotated-1' || req.body.auth === 'at-pasted-2'
                    ? ok({ ID: '1' })
                    : fail(401, 'expired_token'),
            );
            const first = await load();
            await (await first.connection.client()).call('profile');
            await helper.unload();
            const second = await load(
                {},
                { ...CREDS, accessToken: 'at-pasted-2', refreshToken: 'rt-pasted-2' },
            );
            await (await second.connection.client()).call('profile');
            assert.equal(portal.calls('profile').at(-1)?.body.auth, 'at-pasted-2');
        });
    });

    describe('Test connection', () => {
        it('reports the user, administrator rights and plan features', async () => {
            portal.on('profile', () => ok({ ID: '1', NAME: 'Anna', LAST_NAME: 'Admin', ADMIN: true }));
            portal.on('user.admin', () => ok(true));
            portal.on('feature.get', (req) =>
                ok({ value: req.body.CODE === 'rest_offline_extended' ? 'Y' : 'N' }),
            );
            await load();
            const res = await helper.request().post('/bitrix24/portal/p1/test').expect(200);
            assert.deepEqual(res.body, {
                ok: true,
                authType: 'oauth',
                user: { id: '1', name: 'Anna Admin' },
                admin: true,
                features: { rest_offline_extended: true, rest_auth_connector: false },
            });
            assert.equal(portal.requests.length, 1);
        });

        it('answers a failed test with the code and an actionable message, free of secrets', async () => {
            portal.on('batch', () =>
                fail(403, 'WRONG_AUTH_TYPE', 'Current authorization type is denied for this method'),
            );
            await load({ authType: 'webhook' }, { webhookUrl: `${portal.url}/rest/1/hooksecret123/` });
            const res = await helper.request().post('/bitrix24/portal/p1/test').expect(200);
            const body = res.body as { ok: boolean; code: string; message: string };
            assert.equal(body.ok, false);
            assert.equal(body.code, 'WRONG_AUTH_TYPE');
            assert.match(body.message, /webhook cannot use them/);
            assert.ok(!JSON.stringify(body).includes('hooksecret123'));
        });

        it('says to deploy first for a node that is not deployed', async () => {
            await load();
            const res = await helper.request().post('/bitrix24/portal/nope/test').expect(404);
            assert.equal((res.body as { code: string }).code, 'NOT_DEPLOYED');
        });
    });

    describe('Connect (authorisation-code flow)', () => {
        it('sends the browser to the portal and stores the tokens of the returned code', async () => {
            portal.on('oauth/token', (req) =>
                req.body.grant_type === 'authorization_code' && req.body.code === 'code-1'
                    ? { body: { access_token: 'at-code-1', refresh_token: 'rt-code-1', expires_in: 3600 } }
                    : fail(400, 'invalid_grant'),
            );
            await load({}, { clientId: CREDS.clientId, clientSecret: CREDS.clientSecret });
            const res = await helper.request().post('/bitrix24/portal/p1/authorize').expect(200);
            const url = new URL((res.body as { url: string }).url);
            assert.equal(url.origin + url.pathname, `${portal.url}/oauth/authorize/`);
            assert.equal(url.searchParams.get('client_id'), CREDS.clientId);
            const state = url.searchParams.get('state');
            await helper
                .request()
                .get('/bitrix24/portal/oauth/callback')
                .query({ code: 'code-1', state })
                .expect(200);
            assert.equal((await tokenFile().load())?.refreshToken, 'rt-code-1');
        });

        it('refuses a callback with a state it did not issue', async () => {
            await load();
            await helper
                .request()
                .get('/bitrix24/portal/oauth/callback')
                .query({ code: 'code-1', state: 'forged' })
                .expect(403);
            assert.equal(portal.requests.length, 0);
        });
    });

    describe('bad configuration', () => {
        it('marks a portal URL that is not a URL as a configuration error, sending nothing', async () => {
            const node = await load({ portalUrl: 'example.bitrix24.com' });
            await assert.rejects(node.connection.client(), /http\(s\) URL/);
            assert.equal(portal.requests.length, 0);
        });

        it('marks a webhook URL without /rest/<user>/<secret>/ as a configuration error', async () => {
            const node = await load(
                { authType: 'webhook' },
                { webhookUrl: `${portal.url}/rest/secretonly/` },
            );
            await assert.rejects(
                node.connection.client(),
                (err: Error) =>
                    /rest\/<user id>\/<secret>/.test(err.message) && !err.message.includes('secretonly'),
            );
        });
    });
});
