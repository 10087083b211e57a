/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   reply bodies are arbitrary JSON (typed `any` in helpers.ts) that these tests check field by field */
import assert from 'node:assert/strict';
import http from 'node:http';

import { listenLocally } from '../../dist/demo/local-server';
import type { EmulatorFarm } from '../../dist/emulator';
import {
    assertRestError,
    get,
    postForm,
    postJson,
    type Reply,
    type Sink,
    withFarm,
    withSink,
} from './helpers';

/** What a portal's installation form gave the application. */
interface Installation {
    accessToken: string;
    refreshToken: string;
    applicationToken: string;
    memberId: string;
    domain: string;
    form: URLSearchParams;
}

function farmControl(
    farm: EmulatorFarm,
    index: number,
    action: string,
    body: Record<string, unknown> = {},
): Promise<Reply> {
    return postJson(`${farm.oauthServer}/_emulator/farm/`, `${index}/${action}`, body);
}

/** Installs the application on portal `index` over the farm control API; the sink takes the form. */
async function install(farm: EmulatorFarm, index: number, sink: Sink): Promise<Installation> {
    const path = `/install/${index}/${sink.requests.length}`;
    const reply = await farmControl(farm, index, 'install', { url: `${sink.url}${path}` });
    assert.deepEqual(reply.body, { status: 200 });
    const captured = sink.requests.find((request) => request.path === path);
    assert.ok(captured, 'the installation form arrived');
    const read = (key: string) => captured.form.get(key) ?? '';
    return {
        accessToken: read('auth[access_token]'),
        refreshToken: read('auth[refresh_token]'),
        applicationToken: read('auth[application_token]'),
        memberId: read('auth[member_id]'),
        domain: read('auth[domain]'),
        form: captured.form,
    };
}

function rest(farm: EmulatorFarm, index: number, method: string, token: string, params = {}): Promise<Reply> {
    return postJson(`${farm.portals[index].portalUrl}/rest/`, method, { ...params, auth: token });
}

function refresh(farm: EmulatorFarm, refreshToken: string, clientId = farm.app.clientId): Promise<Reply> {
    const form = new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: clientId,
        client_secret: farm.app.clientSecret,
        refresh_token: refreshToken,
    });
    return postForm(`${farm.oauthServer}/oauth/`, 'token/', form.toString());
}

async function bind(farm: EmulatorFarm, index: number, token: string, params: object): Promise<void> {
    const reply = await rest(farm, index, 'event.bind', token, params);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
}

describe('emulator: a farm of portals sharing one token server (docs/bitrix24.md §6, §7)', () => {
    it('lists its portals over HTTP, each on its own host with its own member_id', async () => {
        await withFarm({ portals: 3 }, async (farm) => {
            const list = await get(`${farm.oauthServer}/_emulator/farm`);
            assert.equal(list.status, 200);
            assert.equal(list.body.oauthServer, farm.oauthServer);
            assert.equal(list.body.app.clientId, farm.app.clientId);
            const portals = list.body.portals as {
                index: number;
                portalUrl: string;
                domain: string;
                memberId: string;
            }[];
            assert.deepEqual(
                portals.map((portal) => portal.index),
                [0, 1, 2],
            );
            assert.equal(new Set(portals.map((portal) => portal.domain)).size, 3);
            assert.equal(new Set(portals.map((portal) => portal.memberId)).size, 3);
            for (const portal of portals) {
                assert.equal(portal.portalUrl, `http://${portal.domain}`);
                const state = await get(`${portal.portalUrl}/_emulator/state`);
                assert.equal(state.body.memberId, portal.memberId);
                assert.equal(state.body.oauthServer, farm.oauthServer);
            }
        });
    });

    it('gives every installation its own tokens and application token, under its portal', async () => {
        await withFarm({ portals: 3 }, async (farm) => {
            await withSink(async (sink) => {
                const installations = [];
                for (let index = 0; index < 3; index++) installations.push(await install(farm, index, sink));
                assert.equal(new Set(installations.map((one) => one.applicationToken)).size, 3);
                assert.equal(new Set(installations.map((one) => one.accessToken)).size, 3);
                installations.forEach((one, index) => {
                    assert.equal(one.memberId, farm.portals[index].memberId);
                    assert.equal(one.domain, farm.portals[index].domain);
                });
            });
        });
    });

    it('POSTs the installation form with the fields Bitrix24 sends', async () => {
        await withFarm({ portals: 2 }, async (farm) => {
            await withSink(async (sink) => {
                const { form } = await install(farm, 1, sink);
                const portal = farm.portals[1];
                assert.equal(form.get('event'), 'ONAPPINSTALL');
                assert.equal(form.get('data[VERSION]'), '1');
                assert.equal(form.get('data[ACTIVE]'), 'Y');
                assert.equal(form.get('data[INSTALLED]'), 'Y');
                assert.equal(form.get('data[LANGUAGE_ID]'), 'en');
                assert.match(form.get('ts') ?? '', /^\d+$/);
                assert.equal(form.get('auth[domain]'), portal.domain);
                assert.equal(form.get('auth[member_id]'), portal.memberId);
                assert.equal(form.get('auth[client_endpoint]'), `${portal.portalUrl}/rest/`);
                assert.equal(form.get('auth[server_endpoint]'), `${farm.oauthServer}/rest/`);
                assert.equal(form.get('auth[expires_in]'), '3600');
                assert.match(form.get('auth[expires]') ?? '', /^\d+$/);
                assert.equal(form.get('auth[scope]'), 'crm,task,user');
                assert.equal(form.get('auth[user_id]'), '1');
                assert.equal(form.get('auth[status]'), 'F');
                for (const key of ['auth[access_token]', 'auth[refresh_token]', 'auth[application_token]']) {
                    assert.match(form.get(key) ?? '', /^[0-9a-z]{32}$/, key);
                }
            });
        });
    });

    it('names the one application in app.info on every portal it is installed on', async () => {
        await withFarm({ portals: 2 }, async (farm) => {
            await withSink(async (sink) => {
                for (let index = 0; index < 2; index++) {
                    const installation = await install(farm, index, sink);
                    const info = await rest(farm, index, 'app.info', installation.accessToken);
                    assert.equal(info.body.result.CODE, farm.app.clientId);
                    assert.equal(info.body.result.STATUS, 'F');
                }
            });
        });
    });

    it("resolves an installation with the handler's HTTP status", async () => {
        const server = http.createServer((request, response) => {
            request.resume();
            request.on('end', () => {
                response.writeHead(500);
                response.end('down');
            });
        });
        const handler = await listenLocally(server);
        try {
            await withFarm({ portals: 1 }, async (farm) => {
                assert.deepEqual(await farm.portals[0].install(`${handler.url}/install`), { status: 500 });
            });
        } finally {
            await handler.close();
        }
    });

    it("refreshes each portal's tokens at the one token server, for that portal", async () => {
        await withFarm({ portals: 3 }, async (farm) => {
            await withSink(async (sink) => {
                for (let index = 0; index < 3; index++) {
                    const installation = await install(farm, index, sink);
                    const reply = await refresh(farm, installation.refreshToken);
                    assert.equal(reply.status, 200);
                    assert.equal(reply.body.member_id, farm.portals[index].memberId);
                    assert.equal(reply.body.client_endpoint, `${farm.portals[index].portalUrl}/rest/`);
                    const call = await rest(farm, index, 'profile', String(reply.body.access_token));
                    assert.equal(call.status, 200);
                }
            });
        });
    });

    it("refuses one portal's access token on another with invalid_token", async () => {
        await withFarm({ portals: 2 }, async (farm) => {
            await withSink(async (sink) => {
                const first = await install(farm, 0, sink);
                await install(farm, 1, sink);
                const reply = await rest(farm, 1, 'profile', first.accessToken);
                assertRestError(reply, 401, 'invalid_token', 'Unable to get application by token');
            });
        });
    });

    it("leaves every other portal's tokens working when one portal refreshes", async () => {
        await withFarm({ portals: 2 }, async (farm) => {
            await withSink(async (sink) => {
                const first = await install(farm, 0, sink);
                const second = await install(farm, 1, sink);
                assert.equal((await refresh(farm, first.refreshToken)).status, 200);
                assert.equal((await rest(farm, 0, 'profile', first.accessToken)).status, 401);
                assert.equal((await rest(farm, 1, 'profile', second.accessToken)).status, 200);
                assert.equal((await refresh(farm, second.refreshToken)).status, 200);
            });
        });
    });

    it('answers a refresh token no portal issued with invalid_grant, and an unknown client with invalid_client', async () => {
        await withFarm({ portals: 2 }, async (farm) => {
            await withSink(async (sink) => {
                const installation = await install(farm, 0, sink);
                const unknownToken = await refresh(farm, 'z'.repeat(32));
                assert.equal(unknownToken.status, 400);
                assert.equal(unknownToken.body.error, 'invalid_grant');
                const unknownClient = await refresh(farm, installation.refreshToken, 'app.unknown');
                assert.equal(unknownClient.status, 401);
                assert.equal(unknownClient.body.error, 'invalid_client');
            });
        });
    });

    it('makes a second installation a fresh one: the earlier tokens stop working and the application token changes', async () => {
        await withFarm({ portals: 1 }, async (farm) => {
            await withSink(async (sink) => {
                const earlier = await install(farm, 0, sink);
                const later = await install(farm, 0, sink);
                assert.notEqual(later.applicationToken, earlier.applicationToken);
                assert.equal((await rest(farm, 0, 'profile', earlier.accessToken)).status, 401);
                assert.equal((await refresh(farm, earlier.refreshToken)).body.error, 'invalid_grant');
                assert.equal((await rest(farm, 0, 'profile', later.accessToken)).status, 200);
            });
        });
    });

    for (const clean of [true, false]) {
        it(`delivers ONAPPUNINSTALL with data[CLEAN]=${clean ? 1 : 0} and the application token, and no access token`, async () => {
            await withFarm({ portals: 2 }, async (farm) => {
                await withSink(async (sink) => {
                    const installation = await install(farm, 1, sink);
                    await bind(farm, 1, installation.accessToken, {
                        event: 'ONAPPUNINSTALL',
                        handler: `${sink.url}/events`,
                    });
                    const reply = await farmControl(farm, 1, 'uninstall', { clean });
                    assert.equal(reply.status, 200);
                    const events = sink.requests.filter((request) => request.path === '/events');
                    assert.equal(events.length, 1);
                    const { form } = events[0];
                    assert.equal(form.get('event'), 'ONAPPUNINSTALL');
                    assert.equal(form.get('data[CLEAN]'), clean ? '1' : '0');
                    assert.equal(form.get('data[LANGUAGE_ID]'), 'en');
                    assert.equal(form.get('auth[application_token]'), installation.applicationToken);
                    assert.equal(form.get('auth[member_id]'), farm.portals[1].memberId);
                    assert.equal(form.get('auth[domain]'), farm.portals[1].domain);
                    assert.equal(form.get('auth[client_endpoint]'), `${farm.portals[1].portalUrl}/rest/`);
                    assert.equal(form.get('auth[server_endpoint]'), `${farm.oauthServer}/rest/`);
                    assert.equal(form.has('auth[access_token]'), false);
                });
            });
        });
    }

    it("stops an uninstalled application's tokens on that portal and on the token server", async () => {
        await withFarm({ portals: 1 }, async (farm) => {
            await withSink(async (sink) => {
                const installation = await install(farm, 0, sink);
                await farmControl(farm, 0, 'uninstall');
                const call = await rest(farm, 0, 'profile', installation.accessToken);
                assertRestError(call, 401, 'ERROR_OAUTH', 'Application not installed');
                const renewed = await refresh(farm, installation.refreshToken);
                assert.equal(renewed.status, 401);
                assert.equal(renewed.body.error, 'invalid_client');
            });
        });
    });

    it("delivers ONAPPUPDATE with both versions and a new application token, then drops the app's handlers", async () => {
        await withFarm({ portals: 1 }, async (farm) => {
            await withSink(async (sink) => {
                const installation = await install(farm, 0, sink);
                await bind(farm, 0, installation.accessToken, {
                    event: 'ONAPPUPDATE',
                    handler: `${sink.url}/events`,
                });
                assert.equal((await farmControl(farm, 0, 'update')).status, 200);
                const events = sink.requests.filter((request) => request.path === '/events');
                assert.equal(events.length, 1);
                const { form } = events[0];
                assert.equal(form.get('event'), 'ONAPPUPDATE');
                assert.equal(form.get('data[VERSION]'), '2');
                assert.equal(form.get('data[PREVIOUS_VERSION]'), '1');
                assert.equal(form.get('auth[member_id]'), farm.portals[0].memberId);
                assert.match(form.get('auth[application_token]') ?? '', /^[0-9a-f]{32}$/);
                assert.notEqual(form.get('auth[application_token]'), installation.applicationToken);
                const handlers = await rest(farm, 0, 'event.get', installation.accessToken);
                assert.deepEqual(handlers.body.result, []);
            });
        });
    });

    const blocks = [
        { code: 'PAYMENT_REQUIRED', status: 401, description: 'Payment required' },
        { code: 'PORTAL_DELETED', status: 410, description: 'Portal was deleted' },
        {
            code: 'WRONG_LICENSE',
            status: 403,
            description: 'This feature is not enabled for the current license: applications',
        },
    ];
    for (const block of blocks) {
        it(`answers every call on a portal blocked with ${block.code} with ${block.status} ${block.code}, and the others normally`, async () => {
            await withFarm({ portals: 2 }, async (farm) => {
                await withSink(async (sink) => {
                    const blocked = await install(farm, 0, sink);
                    const other = await install(farm, 1, sink);
                    assert.equal((await farmControl(farm, 0, 'block', { code: block.code })).status, 200);
                    const call = await rest(farm, 0, 'event.offline.get', blocked.accessToken);
                    assertRestError(call, block.status, block.code, block.description);
                    assert.equal((await rest(farm, 1, 'event.offline.get', other.accessToken)).status, 200);
                });
            });
        });
    }

    it('answers normally again once the block is lifted', async () => {
        await withFarm({ portals: 1 }, async (farm) => {
            await withSink(async (sink) => {
                const installation = await install(farm, 0, sink);
                await farmControl(farm, 0, 'block', { code: 'PAYMENT_REQUIRED' });
                await farmControl(farm, 0, 'block', { code: null });
                assert.equal(
                    (await rest(farm, 0, 'event.offline.get', installation.accessToken)).status,
                    200,
                );
            });
        });
    });

    it('refuses an unknown block code with a clear error and leaves the portal as it was', async () => {
        await withFarm({ portals: 1 }, async (farm) => {
            await withSink(async (sink) => {
                const installation = await install(farm, 0, sink);
                const reply = await farmControl(farm, 0, 'block', { code: 'EXPIRED' });
                assert.equal(reply.status, 400);
                assert.match(String(reply.body.error), /PAYMENT_REQUIRED, PORTAL_DELETED, WRONG_LICENSE/);
                assert.equal(
                    (await rest(farm, 0, 'event.offline.get', installation.accessToken)).status,
                    200,
                );
            });
        });
    });

    it('refuses event.offline.get with ACCESS_DENIED while the installing user is not an administrator', async () => {
        await withFarm({ portals: 1 }, async (farm) => {
            await withSink(async (sink) => {
                const installation = await install(farm, 0, sink);
                await farmControl(farm, 0, 'admin', { admin: false });
                const refused = await rest(farm, 0, 'event.offline.get', installation.accessToken);
                assertRestError(refused, 403, 'ACCESS_DENIED', 'Access denied!');
                await farmControl(farm, 0, 'admin', { admin: true });
                assert.equal(
                    (await rest(farm, 0, 'event.offline.get', installation.accessToken)).status,
                    200,
                );
            });
        });
    });

    it('raises rows only on the portal where the change was made', async () => {
        await withFarm({ portals: 3 }, async (farm) => {
            await withSink(async (sink) => {
                const installations = [];
                for (let index = 0; index < 3; index++) {
                    const installation = await install(farm, index, sink);
                    await bind(farm, index, installation.accessToken, {
                        event: 'ONCRMDEALADD',
                        event_type: 'offline',
                    });
                    installations.push(installation);
                }
                const change = await postJson(`${farm.portals[2].portalUrl}/_emulator/`, 'changes', {
                    entityTypeId: 2,
                    action: 'add',
                });
                assert.equal(change.status, 200);
                const counts = [];
                for (let index = 0; index < 3; index++) {
                    const list = await rest(
                        farm,
                        index,
                        'event.offline.list',
                        installations[index].accessToken,
                    );
                    counts.push((list.body.result as unknown[]).length);
                }
                assert.deepEqual(counts, [0, 0, 1]);
            });
        });
    });

    it('refuses an installation without a handler URL with a clear error and installs nothing', async () => {
        await withFarm({ portals: 1 }, async (farm) => {
            const reply = await farmControl(farm, 0, 'install', { url: 'ftp://example.com/' });
            assert.equal(reply.status, 400);
            assert.match(String(reply.body.error), /install needs \{"url": "http\(s\):\/\/\.\.\."\}/);
            const state = await get(`${farm.portals[0].portalUrl}/_emulator/state`);
            assert.deepEqual(state.body.apps, []);
        });
    });

    it('refuses to uninstall an application that is not installed, with a clear error', async () => {
        await withFarm({ portals: 1 }, async (farm) => {
            const reply = await farmControl(farm, 0, 'uninstall');
            assert.equal(reply.status, 400);
            assert.equal(reply.body.error, 'the application is not installed on this portal');
        });
    });

    it('answers a portal index it does not have with 404', async () => {
        await withFarm({ portals: 2 }, async (farm) => {
            const reply = await farmControl(farm, 2, 'update');
            assert.equal(reply.status, 404);
            assert.match(String(reply.body.error), /no farm endpoint POST \/_emulator\/farm\/2\/update/);
        });
    });

    it('finds a portal by the member_id its state reports', async () => {
        await withFarm({ portals: 3 }, async (farm) => {
            const state = await get(`${farm.portals[2].portalUrl}/_emulator/state`);
            assert.equal(farm.portalByMemberId(String(state.body.memberId)), farm.portals[2]);
            assert.equal(farm.portalByMemberId('0'.repeat(32)), undefined);
        });
    });

    it('starts 1,000 idle portals in a few seconds, without a timer per portal', async function () {
        this.timeout(60000);
        const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
        const timersBefore = timers();
        const rssBefore = process.memoryUsage().rss;
        const started = performance.now();
        await withFarm({ portals: 1000 }, async (farm) => {
            const startMs = performance.now() - started;
            const rssPerPortalKb = (process.memoryUsage().rss - rssBefore) / 1000 / 1024;
            console.log(
                `      1,000 portals: started in ${Math.round(startMs)} ms, RSS +${rssPerPortalKb.toFixed(1)} KB per idle portal`,
            );
            assert.ok(startMs < 15000, `started in ${Math.round(startMs)} ms`);
            const newTimers = timers() - timersBefore;
            assert.ok(newTimers < 10, `${newTimers} new timers for 1,000 idle portals`);
            assert.equal((await get(`${farm.portals[999].portalUrl}/_emulator/state`)).status, 200);
        });
    });
});
