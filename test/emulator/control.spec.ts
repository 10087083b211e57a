/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment --
   reply bodies are arbitrary JSON (typed `any` in helpers.ts) that these tests check field by field */
import assert from 'node:assert/strict';

import { get, postJson, rest, sleep, withEmulator, withSink } from './helpers';

function control(portalUrl: string, path: string, body: unknown = {}) {
    return postJson(`${portalUrl}/_emulator/`, path, body as Record<string, unknown>);
}

describe('emulator: control API over HTTP (not part of Bitrix24)', () => {
    it('reports its state: URLs, plan, features, limits and clock', async () => {
        await withEmulator({}, async (emulator) => {
            const state = await get(`${emulator.portalUrl}/_emulator/state`);
            assert.equal(state.body.portalUrl, emulator.portalUrl);
            assert.equal(state.body.plan, 'professional');
            assert.deepEqual(state.body.features, { rest_offline_extended: true, rest_auth_connector: true });
            assert.equal(state.body.limits, 'off');
            assert.equal(typeof state.body.clock.now, 'number');
        });
    });

    it('installs an app, issues tokens for a user and makes a user change that lands in the queue', async () => {
        await withEmulator({}, async (emulator) => {
            const app = (await control(emulator.portalUrl, 'apps', { scope: ['crm'] })).body;
            assert.match(app.clientId, /^local\./);
            await rest(
                emulator,
                'event.bind',
                { event: 'ONCRMCONTACTADD', event_type: 'offline' },
                app.accessToken,
            );
            const employee = (
                await control(emulator.portalUrl, 'tokens', { userId: 2, clientId: app.clientId })
            ).body;
            assert.equal((await rest(emulator, 'user.admin', {}, employee.accessToken)).body.result, false);
            const change = (
                await control(emulator.portalUrl, 'changes', {
                    entity: 'contact',
                    action: 'add',
                    fields: { name: 'Ann' },
                })
            ).body;
            assert.equal(change.ok, true);
            const rows = (await get(`${emulator.portalUrl}/_emulator/queue?clientId=${app.clientId}`)).body;
            assert.equal(rows.length, 1);
            assert.deepEqual(rows[0].EVENT_DATA, { FIELDS: { ID: change.id } });
        });
    });

    it('sets plan and features: turning rest_offline_extended off makes clear=0 fail', async () => {
        await withEmulator({}, async (emulator) => {
            await control(emulator.portalUrl, 'plan', {
                plan: 'enterprise',
                features: { rest_offline_extended: false },
            });
            const reply = await rest(emulator, 'event.offline.get', { clear: 0 });
            assert.equal(reply.body.error, 'WRONG_LICENSE');
            const feature = await rest(emulator, 'feature.get', { CODE: 'rest_offline_extended' });
            assert.deepEqual(feature.body.result, { value: 'N' });
            assert.equal((await rest(emulator, 'app.info')).body.result.LICENSE_FAMILY, 'ent');
        });
    });

    it('sets limits at run time', async () => {
        await withEmulator({}, async (emulator) => {
            await control(emulator.portalUrl, 'limits', { limits: { burst: 2, rps: 0.001 } });
            const statuses = [];
            for (let i = 0; i < 3; i++) statuses.push((await rest(emulator, 'user.admin')).status);
            assert.deepEqual(statuses, [200, 200, 503]);
        });
    });

    it('advances and offsets the clock', async () => {
        await withEmulator({}, async (emulator) => {
            const before = emulator.control.state().clock.now;
            const moved = (await control(emulator.portalUrl, 'clock', { advanceSeconds: 3600 })).body;
            assert.ok(moved.now >= before + 3600 && moved.now <= before + 3602);
            const reset = (await control(emulator.portalUrl, 'clock', { offsetSeconds: 0 })).body;
            assert.ok(Math.abs(reset.now - before) <= 2);
        });
    });

    it('injects 500s: with a share of 1 every REST call fails and is not executed', async () => {
        await withEmulator({}, async (emulator) => {
            await control(emulator.portalUrl, 'faults', { errorRate: 1 });
            const reply = await rest(emulator, 'crm.item.add', { entityTypeId: 2 });
            assert.equal(reply.status, 500);
            assert.equal(emulator.control.userChange({ entity: 'deal', action: 'add' }).id, 1);
            assert.equal(emulator.control.counters().injected500, 1);
        });
    });

    it('injects dropped connections: the socket closes without a reply', async () => {
        await withEmulator({}, async (emulator) => {
            emulator.control.injectFaults({ dropRate: 1 });
            await assert.rejects(rest(emulator, 'user.admin'));
            assert.equal(emulator.control.counters().droppedConnections, 1);
        });
    });

    it('injects lost replies: the call runs, then the socket closes without its answer', async () => {
        await withEmulator({}, async (emulator) => {
            emulator.control.injectFaults({ lostReplyRate: 1 });
            await assert.rejects(rest(emulator, 'crm.item.add', { entityTypeId: 2, fields: { title: 'x' } }));
            emulator.control.clearFaults();
            assert.equal(emulator.control.counters().lostReplies, 1);
            assert.equal(emulator.control.userChange({ entity: 'deal', action: 'add' }).id, 2);
        });
    });

    it('injects slow answers after executing the call', async () => {
        await withEmulator({}, async (emulator) => {
            emulator.control.injectFaults({ slowRate: 1, slowMs: 150 });
            const started = Date.now();
            const reply = await rest(emulator, 'user.admin');
            assert.equal(reply.status, 200);
            assert.ok(Date.now() - started >= 140);
        });
    });

    it('injects a burst of N 503s, then recovers', async () => {
        await withEmulator({}, async (emulator) => {
            await control(emulator.portalUrl, 'faults', { burst503: 2 });
            const statuses = [];
            for (let i = 0; i < 3; i++) statuses.push((await rest(emulator, 'user.admin')).status);
            assert.deepEqual(statuses, [503, 503, 200]);
        });
    });

    it('expires every access token now', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await control(emulator.portalUrl, 'faults/expire-tokens');
            assert.ok(reply.body.expired >= 1);
            assert.equal((await rest(emulator, 'profile')).body.error, 'expired_token');
        });
    });

    it('counts requests per method, 503s, rows and refreshes', async () => {
        await withEmulator({ limits: { burst: 3, rps: 0.001 } }, async (emulator) => {
            await rest(emulator, 'event.bind', { event: 'ONCRMDEALADD', event_type: 'offline' });
            emulator.control.userChange({ entity: 'deal', action: 'add' });
            await rest(emulator, 'event.offline.get', { clear: 0 });
            await rest(emulator, 'user.admin');
            await rest(emulator, 'user.admin');
            const counters = (await get(`${emulator.portalUrl}/_emulator/counters`)).body;
            assert.equal(counters.requests, 4);
            assert.deepEqual(counters.requestsByMethod, {
                'event.bind': 1,
                'event.offline.get': 1,
                'user.admin': 1,
            });
            assert.equal(counters.status503, 1);
            assert.equal(counters.rowsQueued, 1);
            assert.equal(counters.rowsReserved, 1);
            assert.deepEqual(counters.queue, { rows: 1, unreserved: 0, reserved: 1, errored: 0 });
            assert.equal(counters.changes, 1);
        });
    });

    it('runs a change generator for a count of updates', async () => {
        await withEmulator({}, async (emulator) => {
            await rest(emulator, 'event.bind', { event: 'ONCRMDEALUPDATE', event_type: 'offline' });
            await control(emulator.portalUrl, 'generator/start', {
                entity: 'deal',
                objects: 3,
                changesPerSecond: 1000,
                count: 30,
            });
            for (let i = 0; i < 50 && emulator.control.generatorStatus().running; i++) await sleep(20);
            const status = (await get(`${emulator.portalUrl}/_emulator/generator`)).body;
            assert.equal(status.running, false);
            assert.equal(status.changesMade, 30);
            assert.equal(emulator.control.queueRows().length, 3);
            assert.equal(emulator.control.counters().rowsQueued, 30);
        });
    });

    it('stops a running generator', async () => {
        await withEmulator({}, async (emulator) => {
            emulator.control.startGenerator({
                entity: 'task',
                objects: 1,
                changesPerSecond: 1,
                durationSeconds: 60,
            });
            const stopped = (await control(emulator.portalUrl, 'generator/stop')).body;
            assert.equal(stopped.running, false);
        });
    });

    it('answers an unknown control endpoint with 404', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await control(emulator.portalUrl, 'nope');
            assert.equal(reply.status, 404);
        });
    });

    it('sends the installation callback when an app with an install URL is installed over HTTP', async () => {
        await withSink(async (sink) => {
            await withEmulator({}, async (emulator) => {
                const app = (
                    await control(emulator.portalUrl, 'apps', { installUrl: `${sink.url}/installed` })
                ).body;
                assert.equal(app.callbackStatus, 200);
                assert.equal(sink.requests[0].form.get('auth[application_token]'), app.applicationToken);
            });
        });
    });
});
