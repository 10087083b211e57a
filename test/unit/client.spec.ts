import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';

import type { Bitrix24Error } from '../../dist/bitrix24';
import { Bitrix24Client, FileTokenStore, type Bitrix24ClientOptions } from '../../dist/bitrix24';
import { fail, FakePortal, ok } from '../helpers/fake-portal';
import { useTempDir } from '../helpers/temp-dir';

const SECRET = {
    clientSecret: 'cs-0b1c2d3e4f5a6b7c',
    access: 'at-old-1111222233334444',
    refresh: 'rt-old-5555666677778888',
    newAccess: 'at-new-aaaabbbbccccdddd',
    newRefresh: 'rt-new-eeeeffff00001111',
    hook: 'whsecret9988776655',
};

describe('Bitrix24Client', () => {
    let portal: FakePortal;
    const dir = useTempDir('b24-client-');
    const clients: Bitrix24Client[] = [];
    const logLines: string[] = [];

    beforeEach(async () => {
        portal = await new FakePortal().start();
    });

    afterEach(async () => {
        await Promise.all(clients.splice(0).map((client) => client.close()));
        await portal.stop();
    });

    function oauthClient(
        extra: Partial<Bitrix24ClientOptions> = {},
        tokens = { accessToken: SECRET.access, refreshToken: SECRET.refresh },
    ) {
        const client = new Bitrix24Client({
            portalUrl: portal.url,
            auth: {
                type: 'oauth',
                clientId: 'local.test',
                clientSecret: SECRET.clientSecret,
                oauthServer: portal.url,
                tokens,
                store: new FileTokenStore(path.join(dir(), 'tokens.json'), 'credential-secret'),
            },
            rateLimit: { burst: 50, rps: 100 },
            log: (_level, line) => logLines.push(line),
            ...extra,
        });
        clients.push(client);
        return client;
    }

    /** Access tokens the fake accepts; a refresh spends the refresh token and rotates both. */
    function rotatingTokens() {
        // The client's access token has expired: only a refreshed one is accepted.
        const state = { access: '', refresh: SECRET.refresh, refreshes: 0 };
        portal.on('oauth/token', (req) => {
            if (req.body.refresh_token !== state.refresh || req.body.client_secret !== SECRET.clientSecret) {
                return fail(400, 'invalid_grant', 'Invalid grant');
            }
            state.refreshes++;
            state.access = SECRET.newAccess;
            state.refresh = SECRET.newRefresh;
            return {
                body: {
                    access_token: state.access,
                    refresh_token: state.refresh,
                    expires_in: 3600,
                    server_endpoint: `${portal.url}/rest/`,
                    client_endpoint: `${portal.url}/rest/`,
                    member_id: 'm1',
                },
            };
        });
        return state;
    }

    describe('OAuth refresh', () => {
        it('refreshes once for 20 concurrent calls that all hit expired_token, and all 20 succeed', async () => {
            const state = rotatingTokens();
            portal.on('profile', (req) =>
                req.body.auth === state.access
                    ? ok({ ID: '1' })
                    : fail(401, 'expired_token', 'The access token provided has expired.'),
            );
            const client = oauthClient({ mergeCalls: false });
            const results = await Promise.all(Array.from({ length: 20 }, () => client.call('profile')));
            assert.equal(results.length, 20);
            assert.ok(results.every((r) => (r.result as { ID: string }).ID === '1'));
            assert.equal(state.refreshes, 1);
            assert.equal(portal.calls('oauth/token').length, 1);
            assert.equal(portal.calls('profile').filter((r) => r.body.auth === SECRET.access).length, 20);
        });

        it('has the rotated refresh token on disk before the retried call is sent', async () => {
            const state = rotatingTokens();
            const store = new FileTokenStore(path.join(dir(), 'tokens.json'), 'credential-secret');
            const onDisk: (string | undefined)[] = [];
            portal.on('profile', async (req) => {
                if (req.body.auth !== state.access) return fail(401, 'expired_token');
                onDisk.push((await store.load())?.refreshToken);
                return ok({ ID: '1' });
            });
            await oauthClient().call('profile');
            assert.deepEqual(onDisk, [SECRET.newRefresh]);
        });

        it('lets a restarted client work from the stored tokens without spending a refresh', async () => {
            const state = rotatingTokens();
            portal.on('profile', (req) =>
                req.body.auth === state.access ? ok({ ID: '1' }) : fail(401, 'expired_token'),
            );
            await oauthClient().call('profile');
            const stored = await new FileTokenStore(
                path.join(dir(), 'tokens.json'),
                'credential-secret',
            ).load();
            assert.ok(stored);
            const restarted = oauthClient(
                {},
                { accessToken: stored.accessToken ?? '', refreshToken: stored.refreshToken ?? '' },
            );
            await restarted.call('profile');
            assert.equal(state.refreshes, 1);
        });

        it('writes the token file with mode 0600 and without a readable token when a secret is set', async () => {
            rotatingTokens();
            portal.on('profile', (req) =>
                req.body.auth === SECRET.newAccess ? ok({}) : fail(401, 'expired_token'),
            );
            await oauthClient().call('profile');
            const file = path.join(dir(), 'tokens.json');
            assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
            const text = await fs.readFile(file, 'utf8');
            assert.ok(!text.includes(SECRET.newRefresh) && !text.includes(SECRET.newAccess));
        });

        it('reports invalid_grant as a call to re-authorise, without the tokens in the message', async () => {
            portal.on('oauth/token', () => fail(400, 'invalid_grant', 'Refresh token expired'));
            portal.on('profile', () => fail(401, 'expired_token'));
            await assert.rejects(oauthClient().call('profile'), (err: Bitrix24Error) => {
                assert.equal(err.code, 'invalid_grant');
                assert.match(err.message, /re-authorise/);
                return true;
            });
        });

        it('refuses a call in OAuth mode without tokens, sending nothing', async () => {
            const client = oauthClient({}, { accessToken: '', refreshToken: '' });
            await assert.rejects(
                client.call('profile'),
                (err: Bitrix24Error) => err.code === 'NOT_AUTHORIZED' && /install/.test(err.message),
            );
            assert.equal(portal.requests.length, 0);
        });
    });

    describe('limits and retries', () => {
        it('holds 200 calls within the portal bucket with zero 503s', async () => {
            const burst = 10;
            const rps = 50;
            let level = 0;
            let last = Date.now();
            let refused = 0;
            portal.on('server.time', () => {
                const now = Date.now();
                level = Math.max(0, level - ((now - last) / 1000) * rps);
                last = now;
                if (level + 1 > burst) {
                    refused++;
                    return fail(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests');
                }
                level += 1;
                return ok('2026-11-28T00:00:00+00:00');
            });
            const client = oauthClient({ rateLimit: { burst, rps }, mergeCalls: false });
            const started = Date.now();
            await Promise.all(Array.from({ length: 200 }, () => client.call('server.time')));
            const seconds = (Date.now() - started) / 1000;
            assert.equal(refused, 0);
            assert.equal(portal.calls('server.time').length, 200);
            // At most the burst plus the drain rate over the run went through.
            assert.ok(
                200 <= burst + rps * seconds + 1,
                `200 calls in ${seconds}s exceed ${burst} + ${rps}/s`,
            );
        });

        it('retries a 503 QUERY_LIMIT_EXCEEDED and succeeds', async () => {
            let n = 0;
            portal.on('crm.deal.add', () =>
                ++n === 1 ? fail(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests') : ok(7),
            );
            const response = await oauthClient().call('crm.deal.add', { fields: { TITLE: 'x' } });
            assert.equal(response.result, 7);
            assert.equal(portal.calls('crm.deal.add').length, 2);
        });

        it('waits for operating_reset_at after a 429 OPERATION_TIME_LIMIT', async () => {
            const resetAt = Math.ceil(Date.now() / 1000) + 1;
            let n = 0;
            portal.on('crm.item.list', () => {
                n++;
                if (n === 1) return ok([], { time: { operating: 10, operating_reset_at: resetAt } });
                if (n === 2)
                    return fail(
                        429,
                        'OPERATION_TIME_LIMIT',
                        'Method is blocked due to operation time limit.',
                    );
                return ok([{ id: 1 }]);
            });
            const client = oauthClient();
            await client.call('crm.item.list', { entityTypeId: 2 });
            const response = await client.call('crm.item.list', { entityTypeId: 2 });
            assert.deepEqual(response.result, [{ id: 1 }]);
            const [, refused, retried] = portal.calls('crm.item.list');
            assert.ok(retried.at >= resetAt * 1000, `retried at ${retried.at}, reset at ${resetAt * 1000}`);
            assert.ok(refused.at < resetAt * 1000);
        });

        it('does not resend a write after a connection reset', async () => {
            portal.on('crm.deal.add', () => 'drop');
            await assert.rejects(
                oauthClient().call('crm.deal.add', { fields: {} }),
                (err: Bitrix24Error) => err.code === 'NETWORK_ERROR',
            );
            assert.equal(portal.calls('crm.deal.add').length, 1);
        });

        it('resends a read after a connection reset', async () => {
            let n = 0;
            portal.on('crm.deal.get', () => (++n === 1 ? 'drop' : ok({ ID: '5' })));
            const response = await oauthClient().call('crm.deal.get', { id: 5 });
            assert.deepEqual(response.result, { ID: '5' });
            assert.equal(n, 2);
        });

        it('resends a write after a connection reset when the caller says it is repeatable', async () => {
            let n = 0;
            portal.on('crm.deal.update', () => (++n === 1 ? 'drop' : ok(true)));
            await oauthClient().call(
                'crm.deal.update',
                { id: 1, fields: { TITLE: 'x' } },
                { repeatable: true },
            );
            assert.equal(n, 2);
        });
    });

    describe('batch', () => {
        function echoBatch() {
            portal.on('batch', (req) => {
                const cmd = req.body.cmd as Record<string, string>;
                const result: Record<string, unknown> = {};
                const resultError: Record<string, unknown> = {};
                for (const [key, command] of Object.entries(cmd)) {
                    const id = /id=(\d+)/.exec(command)?.[1];
                    if (id === '13')
                        resultError[key] = { error: 'NOT_FOUND', error_description: 'Item not found' };
                    else result[key] = { id: Number(id) };
                }
                return ok({
                    result,
                    result_error: Object.keys(resultError).length ? resultError : [],
                    result_total: [],
                    result_next: [],
                    result_time: [],
                });
            });
        }

        it('sends 120 commands as 3 requests and returns results in input order', async () => {
            echoBatch();
            const commands = Array.from({ length: 120 }, (_, i) => ({
                method: 'crm.item.get',
                params: { entityTypeId: 2, id: i + 1 },
            }));
            const items = await oauthClient().batch(commands);
            assert.equal(portal.calls('batch').length, 3);
            assert.deepEqual(
                items.filter((i) => i.response).map((i) => (i.response?.result as { id: number }).id),
                Array.from({ length: 120 }, (_, i) => i + 1).filter((id) => id !== 13),
            );
        });

        it('returns a failing command as an item with its error and runs the others', async () => {
            echoBatch();
            const items = await oauthClient().batch(
                [12, 13, 14].map((id) => ({ method: 'crm.item.get', params: { entityTypeId: 2, id } })),
            );
            assert.deepEqual(
                items.map((i) => i.error?.code ?? 'ok'),
                ['ok', 'NOT_FOUND', 'ok'],
            );
        });

        it('keeps $result references in the command strings', async () => {
            echoBatch();
            await oauthClient().batch([
                { key: 'deal', method: 'crm.deal.get', params: { id: 1 } },
                { key: 'contact', method: 'crm.contact.get', params: { id: '$result[deal][CONTACT_ID]' } },
            ]);
            const cmd = portal.calls('batch')[0].body.cmd as Record<string, string>;
            assert.equal(decodeURIComponent(cmd.contact), 'crm.contact.get?id=$result[deal][CONTACT_ID]');
        });

        it('puts auth_connector at the top of the batch, never in a command', async () => {
            echoBatch();
            await oauthClient().batch([{ method: 'crm.item.get', params: { entityTypeId: 2, id: 1 } }], {
                authConnector: 'erp',
            });
            const [request] = portal.calls('batch');
            assert.equal(request.body.auth_connector, 'erp');
            assert.ok(!JSON.stringify(request.body.cmd).includes('auth_connector'));
        });

        it('merges calls made in the same moment into one batch, keeping their order', async () => {
            echoBatch();
            const client = oauthClient();
            const results = await Promise.all(
                [1, 2, 3].map((id) => client.call('crm.item.get', { entityTypeId: 2, id })),
            );
            assert.deepEqual(
                results.map((r) => (r.result as { id: number }).id),
                [1, 2, 3],
            );
            assert.equal(portal.requests.length, 1);
            assert.equal(portal.calls('batch').length, 1);
        });

        it('merges batches of one command with each other and with calls, each getting its own item', async () => {
            echoBatch();
            const client = oauthClient();
            const one = (id: number) =>
                client.batch([{ method: 'crm.item.get', params: { entityTypeId: 2, id } }]);
            const [first, call, missing] = await Promise.all([
                one(1),
                client.call('crm.item.get', { entityTypeId: 2, id: 2 }),
                one(13),
            ]);
            assert.equal(portal.requests.length, 1);
            assert.deepEqual(first, [{ key: 'c0', method: 'crm.item.get', response: { result: { id: 1 } } }]);
            assert.deepEqual(call.result, { id: 2 });
            assert.equal(missing.length, 1);
            assert.equal(missing[0].key, 'c0');
            assert.equal(missing[0].error?.code, 'NOT_FOUND', 'a failing command stays an item of its batch');
        });

        it('fails batches of one that shared a request as a whole when the request fails, as a batch does', async () => {
            portal.on('batch', () => ({ body: '<html>Maintenance</html>' }));
            const client = oauthClient();
            const one = (id: number) =>
                client.batch([{ method: 'crm.item.get', params: { entityTypeId: 2, id } }]);
            const results = await Promise.allSettled([one(1), one(2)]);
            assert.equal(portal.requests.length, 1);
            for (const result of results) {
                assert.equal(result.status, 'rejected');
                if (result.status === 'rejected')
                    assert.equal((result.reason as Bitrix24Error).code, 'BAD_RESPONSE');
            }
        });

        it('does not merge calls of different auth connectors', async () => {
            echoBatch();
            portal.on('crm.item.get', (req) => ok({ id: Number(req.body.id) }));
            const client = oauthClient();
            await Promise.all([
                client.call('crm.item.get', { entityTypeId: 2, id: 1 }, { authConnector: 'a' }),
                client.call('crm.item.get', { entityTypeId: 2, id: 2 }, { authConnector: 'b' }),
            ]);
            assert.deepEqual(portal.requests.map((r) => r.body.auth_connector).sort(), ['a', 'b']);
        });
    });

    describe('errors users can act on', () => {
        it('answers an event.* call through a webhook with WRONG_AUTH_TYPE without asking, and without the webhook secret', async () => {
            const client = new Bitrix24Client({
                portalUrl: portal.url,
                auth: { type: 'webhook', webhookUrl: `${portal.url}/rest/1/${SECRET.hook}/` },
            });
            clients.push(client);
            await assert.rejects(client.call('event.offline.get', { clear: 0 }), (err: Bitrix24Error) => {
                assert.equal(err.status, 403);
                assert.equal(err.method, 'event.offline.get');
                assert.match(
                    err.message,
                    /offline events need an OAuth application; a webhook cannot use them/,
                );
                assert.ok(!err.message.includes(SECRET.hook));
                return true;
            });
            assert.equal(portal.requests.length, 0);
        });

        it('names the missing plan feature of WRONG_LICENSE', async () => {
            portal.on('event.offline.get', () =>
                fail(
                    403,
                    'WRONG_LICENSE',
                    'This feature is not enabled for the current license: extended offline events handling',
                ),
            );
            await assert.rejects(
                oauthClient().call('event.offline.get', { clear: 0 }),
                (err: Bitrix24Error) =>
                    err.feature === 'rest_offline_extended' && /rest_offline_extended/.test(err.message),
            );
        });

        it('says that ACCESS_DENIED needs an administrator token', async () => {
            portal.on('event.offline.list', () => fail(403, 'ACCESS_DENIED', 'Access denied!'));
            await assert.rejects(oauthClient().call('event.offline.list'), /administrator/);
        });

        it('passes other codes through with the method and description', async () => {
            portal.on('crm.deal.get', () => fail(400, 'ERROR_CORE', 'Something specific'));
            await assert.rejects(
                oauthClient().call('crm.deal.get', { id: 1 }),
                (err: Bitrix24Error) =>
                    err.code === 'ERROR_CORE' &&
                    err.message === 'crm.deal.get: ERROR_CORE: Something specific',
            );
        });

        for (const [what, body] of [
            ['malformed JSON', '{"result": '],
            ['an HTML page', '<html><body>Bad gateway</body></html>'],
            ['a 200 without result', '{"time": {}}'],
        ] as const) {
            it(`gives a clear error for ${what}`, async () => {
                portal.on('crm.deal.add', () => ({ status: 200, body }));
                await assert.rejects(
                    oauthClient().call('crm.deal.add', { fields: {} }),
                    (err: Bitrix24Error) =>
                        err.code === 'BAD_RESPONSE' && /not a Bitrix24 REST reply/.test(err.message),
                );
            });
        }

        it('keeps every secret out of error messages and log lines', async () => {
            portal.on('oauth/token', () =>
                fail(400, 'invalid_grant', `refresh token ${SECRET.refresh} was used`),
            );
            portal.on('profile', (req) =>
                fail(401, 'expired_token', `token ${String(req.body.auth)} expired`),
            );
            portal.on('crm.deal.get', () => fail(500, 'INTERNAL_SERVER_ERROR', `auth=${SECRET.access}`));
            const client = oauthClient();
            const messages: string[] = [];
            for (const call of [() => client.call('profile'), () => client.call('crm.deal.get', { id: 1 })]) {
                await call().catch((err: Error) => messages.push(err.message, String(err.stack)));
            }
            const text = [...messages, ...logLines].join('\n');
            assert.ok(messages.length >= 2);
            for (const secret of Object.values(SECRET))
                assert.ok(!text.includes(secret), `leaked ${secret.slice(0, 6)}...`);
        });
    });

    describe('bad configuration', () => {
        it('refuses a webhook URL of another portal', () => {
            assert.throws(
                () =>
                    new Bitrix24Client({
                        portalUrl: 'https://a.bitrix24.com',
                        auth: { type: 'webhook', webhookUrl: 'https://b.bitrix24.com/rest/1/abcdef/' },
                    }),
                /another portal/,
            );
        });

        it('refuses a method name that is not one, sending nothing', async () => {
            await assert.rejects(
                oauthClient().call('crm deal; drop'),
                (err: Bitrix24Error) => err.code === 'INVALID_ARGUMENT',
            );
            assert.equal(portal.requests.length, 0);
        });
    });

    describe('paging', () => {
        it('reads every page of a list, the pages after the first in one batch', async () => {
            const rows = Array.from({ length: 120 }, (_, i) => ({ ID: String(i + 1) }));
            const page = (start: number) => ({
                result: rows.slice(start, start + 50),
                total: rows.length,
                ...(start + 50 < rows.length ? { next: start + 50 } : {}),
            });
            portal.on('crm.deal.list', (req) =>
                ok(page(Number(req.body.start)).result, { total: 120, next: 50 }),
            );
            portal.on('batch', (req) => {
                const cmd = req.body.cmd as Record<string, string>;
                const result: Record<string, unknown> = {};
                for (const [k, c] of Object.entries(cmd))
                    result[k] = page(Number(/start=(\d+)/.exec(c)?.[1])).result;
                return ok({ result, result_error: [], result_total: [], result_next: [], result_time: [] });
            });
            const all = await oauthClient().listAll<{ ID: string }>('crm.deal.list', { select: ['ID'] });
            assert.deepEqual(
                all.map((r) => r.ID),
                rows.map((r) => r.ID),
            );
            assert.equal(portal.requests.length, 2);
        });
    });
});
