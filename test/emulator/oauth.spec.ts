/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   reply bodies are arbitrary JSON (typed `any` in helpers.ts) that these tests check field by field */
import assert from 'node:assert/strict';

import { assertRestError, get, refreshAppTokens, rest, withEmulator, withSink } from './helpers';

async function refresh(oauthServer: string, params: Record<string, string>) {
    const response = await fetch(`${oauthServer}/oauth/token/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', ...params }).toString(),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('emulator: OAuth server and tokens (docs/bitrix24.md §7)', () => {
    it('refreshes with a form POST and answers every documented field', async () => {
        await withEmulator({}, async (emulator) => {
            const { app } = emulator;
            const reply = await refreshAppTokens(emulator);
            assert.equal(reply.status, 200);
            for (const field of [
                'access_token',
                'refresh_token',
                'expires',
                'expires_in',
                'scope',
                'status',
                'user_id',
            ]) {
                assert.ok(field in reply.body, field);
            }
            assert.equal(reply.body.expires_in, 3600);
            assert.equal(reply.body.client_endpoint, `${emulator.portalUrl}/rest/`);
            assert.equal(reply.body.server_endpoint, `${emulator.oauthServer}/rest/`);
            assert.equal(reply.body.domain, new URL(emulator.oauthServer).host);
            assert.equal(reply.body.member_id, app.memberId);
            assert.equal(reply.body.user_id, 1);
            assert.notEqual(reply.body.refresh_token, app.refreshToken);
            const call = await rest(emulator, 'profile', {}, String(reply.body.access_token));
            assert.equal(call.status, 200);
        });
    });

    it('refreshes with a GET query string', async () => {
        await withEmulator({}, async (emulator) => {
            const { app } = emulator;
            const query = new URLSearchParams({
                grant_type: 'refresh_token',
                client_id: app.clientId,
                client_secret: app.clientSecret,
                refresh_token: app.refreshToken,
            });
            const reply = await get(`${emulator.oauthServer}/oauth/token/?${query.toString()}`);
            assert.equal(reply.status, 200);
            assert.equal(typeof reply.body.access_token, 'string');
        });
    });

    it('answers a reused refresh token with invalid_grant', async () => {
        await withEmulator({}, async (emulator) => {
            const { app } = emulator;
            const params = {
                client_id: app.clientId,
                client_secret: app.clientSecret,
                refresh_token: app.refreshToken,
            };
            assert.equal((await refresh(emulator.oauthServer, params)).status, 200);
            const reuse = await refresh(emulator.oauthServer, params);
            assert.equal(reuse.status, 400);
            assert.equal(reuse.body.error, 'invalid_grant');
        });
    });

    it('stops accepting the old access token after a refresh', async () => {
        await withEmulator({}, async (emulator) => {
            await refreshAppTokens(emulator);
            const old = await rest(emulator, 'profile');
            assert.equal(old.status, 401);
            assert.equal(old.body.error, 'invalid_token');
        });
    });

    it('answers a wrong client secret with invalid_client', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await refresh(emulator.oauthServer, {
                client_id: emulator.app.clientId,
                client_secret: 'wrong',
                refresh_token: emulator.app.refreshToken,
            });
            assert.equal(reply.status, 401);
            assert.equal(reply.body.error, 'invalid_client');
        });
    });

    it('expires access tokens after the configured TTL on the emulator clock with 401 expired_token', async () => {
        await withEmulator({ accessTokenTtlSeconds: 60 }, async (emulator) => {
            assert.equal((await rest(emulator, 'profile')).status, 200);
            emulator.control.setClock({ advanceSeconds: 61 });
            const reply = await rest(emulator, 'profile');
            assertRestError(reply, 401, 'expired_token', 'The access token provided has expired');
        });
    });

    it('runs the code flow: authorize redirects with code, state and portal data, the code buys tokens once', async () => {
        await withEmulator({}, async (emulator) => {
            const app = await emulator.control.installApp({ redirectUri: 'http://127.0.0.1:9/back' });
            const page = await get(
                `${emulator.portalUrl}/oauth/authorize/?client_id=${app.clientId}&state=s1`,
            );
            assert.equal(page.status, 302);
            const location = new URL(page.headers.get('location') ?? '');
            assert.equal(location.origin + location.pathname, 'http://127.0.0.1:9/back');
            assert.equal(location.searchParams.get('state'), 's1');
            assert.equal(location.searchParams.get('domain'), new URL(emulator.portalUrl).host);
            assert.equal(location.searchParams.get('member_id'), app.memberId);
            assert.equal(location.searchParams.get('scope'), 'crm,task,user');
            assert.equal(location.searchParams.get('server_domain'), new URL(emulator.oauthServer).host);
            const code = location.searchParams.get('code') ?? '';
            const exchange = () =>
                get(
                    `${emulator.oauthServer}/oauth/token/?grant_type=authorization_code&client_id=${app.clientId}&client_secret=${app.clientSecret}&code=${code}`,
                );
            const first = await exchange();
            assert.equal(first.status, 200);
            assert.equal(first.body.user_id, 1);
            const second = await exchange();
            assert.equal(second.body.error, 'invalid_grant');
        });
    });

    it('lets an authorization code expire after 30 s', async () => {
        await withEmulator({}, async (emulator) => {
            const app = await emulator.control.installApp({ redirectUri: 'http://127.0.0.1:9/back' });
            const page = await get(
                `${emulator.portalUrl}/oauth/authorize/?client_id=${app.clientId}&state=s`,
            );
            const code = new URL(page.headers.get('location') ?? '').searchParams.get('code') ?? '';
            emulator.control.setClock({ advanceSeconds: 31 });
            const reply = await get(
                `${emulator.oauthServer}/oauth/token/?grant_type=authorization_code&client_id=${app.clientId}&client_secret=${app.clientSecret}&code=${code}`,
            );
            assert.equal(reply.body.error, 'invalid_grant');
        });
    });

    it('posts the installation callback form to the install URL when an app is installed', async () => {
        await withSink(async (sink) => {
            await withEmulator({}, async (emulator) => {
                const app = await emulator.control.installApp({ installUrl: `${sink.url}/install` });
                assert.equal(app.callbackStatus, 200);
                const [callback] = sink.requests;
                assert.equal(callback.path, '/install');
                const form = callback.form;
                assert.equal(form.get('event'), 'ONAPPINSTALL');
                assert.equal(form.get('data[INSTALLED]'), 'Y');
                assert.equal(form.get('auth[access_token]'), app.accessToken);
                assert.equal(form.get('auth[refresh_token]'), app.refreshToken);
                assert.equal(form.get('auth[application_token]'), app.applicationToken);
                assert.equal(form.get('auth[member_id]'), app.memberId);
                assert.equal(form.get('auth[client_endpoint]'), `${emulator.portalUrl}/rest/`);
                assert.equal(form.get('auth[server_endpoint]'), `${emulator.oauthServer}/rest/`);
                for (const key of ['auth[expires_in]', 'auth[scope]', 'auth[domain]', 'auth[status]'])
                    assert.ok(form.has(key), key);
            });
        });
    });

    it('answers 401 expired_token for every token after "expire all access tokens now", and refresh still works', async () => {
        await withEmulator({}, async (emulator) => {
            emulator.control.expireAccessTokens();
            assert.equal((await rest(emulator, 'profile')).body.error, 'expired_token');
            const renewed = await refreshAppTokens(emulator);
            assert.equal(
                (await rest(emulator, 'profile', {}, String(renewed.body.access_token))).status,
                200,
            );
        });
    });

    it('lists every token pair it issued, retired ones too, over HTTP and in-process', async () => {
        await withEmulator({}, async (emulator) => {
            const { app } = emulator;
            const renewed = await refreshAppTokens(emulator);
            const pairs = emulator.control.issuedTokens();
            assert.deepEqual(pairs, [
                { accessToken: app.accessToken, refreshToken: app.refreshToken },
                {
                    accessToken: String(renewed.body.access_token),
                    refreshToken: String(renewed.body.refresh_token),
                },
            ]);
            assert.deepEqual((await get(`${emulator.portalUrl}/_emulator/tokens`)).body, pairs);
        });
    });
});
