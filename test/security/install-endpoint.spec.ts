import assert from 'node:assert/strict';
import path from 'node:path';

import helper from 'node-red-node-test-helper';

import { FileTokenStore } from '../../dist/bitrix24';
import portalModule from '../../dist/nodes/bitrix24-portal';
import type { PortalNode } from '../../dist/nodes/shared/portal-node';
import { captureRed } from '../helpers/red';
import {
    form,
    FORM,
    portalState,
    prototypePolluted,
    send,
    useHostileBench,
    type RawRequest,
} from './helpers';

const POLLUTION_KEYS = ['polluted', 'access_token', 'refresh_token', 'client_endpoint', 'application_token'];

describe('security: the installation callback refuses what the portal did not send, storing nothing', function () {
    this.timeout(20_000);
    const red = captureRed();
    const setup = useHostileBench(red, POLLUTION_KEYS, ({ emulator }) => {
        emulator.control.userChange({ entity: 'deal', action: 'add', fields: { title: 'Deal' } });
    });

    async function load(portal = setup.bench.portal()) {
        await helper.load([portalModule, red.module], [portal.node], { portal: portal.credentials });
        const node = helper.getNode('portal') as unknown as PortalNode;
        await node.connection.ready;
        return node;
    }

    const url = (id = 'portal') => `${setup.bench.publicUrl}/bitrix24/install/${id}`;
    const tokenFile = () =>
        new FileTokenStore(path.join(setup.bench.userDir, 'bitrix24', 'tokens-portal.json'));

    /** The callback the emulator posts at installation (docs/bitrix24.md §7), with fields changed. */
    function callback(
        tokens: { accessToken: string; refreshToken: string },
        extra: Record<string, string> = {},
    ) {
        return {
            event: 'ONAPPINSTALL',
            'data[VERSION]': '1',
            'auth[access_token]': tokens.accessToken,
            'auth[refresh_token]': tokens.refreshToken,
            'auth[expires_in]': '3600',
            'auth[domain]': new URL(setup.emulator.portalUrl).host,
            'auth[server_endpoint]': `${setup.emulator.oauthServer}/rest/`,
            'auth[client_endpoint]': `${setup.emulator.portalUrl}/rest/`,
            'auth[member_id]': setup.emulator.app.memberId,
            'auth[application_token]': setup.emulator.app.applicationToken,
            ...extra,
        };
    }
    const freshTokens = () => setup.emulator.control.issueTokens({ clientId: setup.emulator.app.clientId });

    /**
     * Posts a callback the route must refuse: nothing stored, the deployed application token
     * kept, and no request to the portal but the app.info that tries the offered token, if any.
     */
    async function expectRefused(request: RawRequest, status: number, probes = 0) {
        const node = await load();
        const before = portalState(setup.emulator);
        assert.equal((await send(url(), request)).status, status);
        assert.equal(await tokenFile().load(), undefined, 'no token stored');
        assert.equal(await node.connection.applicationToken(), setup.emulator.app.applicationToken);
        const after = portalState(setup.emulator);
        assert.equal(after.requestsByMethod['app.info'] ?? 0, probes, 'app.info probes');
        assert.deepEqual(
            { ...after, requests: after.requests - probes, requestsByMethod: before.requestsByMethod },
            before,
            'no other request, no token issued, no row or binding changed',
        );
    }

    it('stores the tokens of a genuine callback (the control for the refusals)', async () => {
        const node = await load();
        const tokens = freshTokens();
        const response = await send(url(), { body: form(callback(tokens)), contentType: FORM });
        assert.equal(response.status, 200);
        assert.equal((await tokenFile().load())?.refreshToken, tokens.refreshToken);
        assert.equal(await node.connection.applicationToken(), setup.emulator.app.applicationToken);
    });

    it('refuses tokens the portal does not know with 403 after one app.info', async () => {
        const forged = {
            accessToken: 'at-forged-0000111122223333',
            refreshToken: 'rt-forged-4444555566667777',
        };
        await expectRefused({ body: form(callback(forged)), contentType: FORM }, 403, 1);
    });

    it('refuses working tokens of another application on the same portal with 400 after one app.info', async () => {
        const other = await setup.emulator.control.installApp({});
        const body = form(callback(other, { 'auth[application_token]': other.applicationToken }));
        await expectRefused({ body, contentType: FORM }, 400, 1);
    });

    it('refuses working tokens that name another OAuth server, where refreshes would send the client secret', async () => {
        const body = form(
            callback(freshTokens(), { 'auth[server_endpoint]': 'https://oauth.attacker.example/rest/' }),
        );
        await expectRefused({ body, contentType: FORM }, 400);
    });

    it('refuses a callback from another portal with 400, without a request', async () => {
        const body = form(
            callback(setup.otherPortal.app, {
                'auth[client_endpoint]': `${setup.otherPortal.portalUrl}/rest/`,
                'auth[application_token]': setup.otherPortal.app.applicationToken,
            }),
        );
        await expectRefused({ body, contentType: FORM }, 400);
    });

    const malformed: [string, () => string, string?][] = [
        [
            'without tokens',
            () =>
                form({
                    event: 'ONAPPINSTALL',
                    'auth[client_endpoint]': `${setup.emulator.portalUrl}/rest/`,
                }),
        ],
        ['with empty tokens', () => form(callback({ accessToken: '', refreshToken: '' }))],
        [
            'without the application token',
            () => {
                const { ['auth[application_token]']: _dropped, ...fields } = callback(freshTokens());
                return form(fields);
            },
        ],
        [
            'with the access token in an array',
            () => form(callback(freshTokens())).replace('auth[access_token]=', 'auth[access_token][]='),
        ],
        [
            'with the portal address in an array',
            () => form(callback(freshTokens())).replace('auth[client_endpoint]=', 'auth[client_endpoint][]='),
        ],
        ['with a broken %-escape', () => `${form(callback(freshTokens()))}&auth[domain]=%E0%A4%A`],
        [
            'as JSON (not form-encoded)',
            () => JSON.stringify({ event: 'ONAPPINSTALL', auth: { access_token: 'x', refresh_token: 'y' } }),
            'application/json',
        ],
    ];
    for (const [what, body, contentType] of malformed) {
        it(`refuses a callback ${what} with 400, without a request`, async () => {
            await expectRefused({ body: body(), contentType: contentType ?? FORM }, 400);
        });
    }

    it('refuses a body over 64 KB with 413, also when sent in chunks without a Content-Length', async () => {
        const body = `${form(callback(freshTokens()))}&pad=${'x'.repeat(70 * 1024)}`;
        await expectRefused({ body, contentType: FORM }, 413);
        await helper.unload();
        await expectRefused({ body, contentType: FORM, chunked: true }, 413);
    });

    it('answers a GET with 404, and a callback for a node that is not deployed with 404', async () => {
        await expectRefused({ method: 'GET' }, 404);
        const body = form(callback(freshTokens()));
        const before = portalState(setup.emulator);
        assert.equal((await send(url('nope'), { body, contentType: FORM })).status, 404);
        assert.deepEqual(portalState(setup.emulator), before);
    });

    it('refuses a callback for a webhook portal node, storing nothing', async () => {
        const portal = setup.bench.portal({ authType: 'webhook' });
        await helper.load([portalModule, red.module], [portal.node], {
            portal: { webhookUrl: setup.emulator.webhookUrl },
        });
        const body = form(callback(freshTokens()));
        const before = portalState(setup.emulator);
        const response = await send(url(), { body, contentType: FORM });
        assert.ok(response.status === 400 || response.status === 403, `status ${response.status}`);
        assert.equal(await tokenFile().load(), undefined);
        assert.deepEqual(portalState(setup.emulator), before);
    });

    it('keeps the __proto__ keys of a hostile body off Object.prototype', async () => {
        const tokens = freshTokens();
        const hostile = [
            '__proto__[polluted]=yes',
            `auth[__proto__][access_token]=${tokens.accessToken}`,
            `auth[__proto__][refresh_token]=${tokens.refreshToken}`,
            `auth[__proto__][client_endpoint]=${setup.emulator.portalUrl}/rest/`,
            `auth[__proto__][application_token]=${setup.emulator.app.applicationToken}`,
            'event=ONAPPINSTALL',
        ].join('&');
        await expectRefused({ body: hostile, contentType: FORM }, 400);
        assert.equal(prototypePolluted(...POLLUTION_KEYS), false, 'Object.prototype is clean');
    });
});
