/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument --
   reply bodies are arbitrary JSON (typed `any` in helpers.ts) that these tests check field by field */
import assert from 'node:assert/strict';

import { assertRestError, get, postForm, postJson, rest, withEmulator } from './helpers';

describe('emulator: REST transport and envelope (docs/bitrix24.md §9)', () => {
    it('answers a JSON POST with result and a time block carrying every field', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await rest(emulator, 'profile');
            assert.equal(reply.status, 200);
            assert.equal(reply.body.result.ID, '1');
            assert.equal(reply.body.result.ADMIN, true);
            for (const field of [
                'start',
                'finish',
                'duration',
                'processing',
                'operating',
                'operating_reset_at',
            ]) {
                assert.equal(typeof reply.body.time[field], 'number', field);
            }
            assert.match(reply.body.time.date_start, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
            assert.match(reply.body.time.date_finish, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
        });
    });

    it('accepts the method with a .json suffix', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await postJson(`${emulator.portalUrl}/rest/`, 'user.admin.json', {
                auth: emulator.app.accessToken,
            });
            assert.equal(reply.status, 200);
            assert.equal(reply.body.result, true);
        });
    });

    it('treats repeated slashes in the path as one, as the portal does for /rest//<method>', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await postJson(`${emulator.portalUrl}/rest//`, 'user.admin', {
                auth: emulator.app.accessToken,
            });
            assert.equal(reply.status, 200);
            assert.equal(reply.body.result, true);
        });
    });

    it('reads a GET query string with auth in it', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await get(
                `${emulator.portalUrl}/rest/feature.get?CODE=rest_offline_extended&auth=${emulator.app.accessToken}`,
            );
            assert.equal(reply.status, 200);
            assert.deepEqual(reply.body.result, { value: 'Y' });
        });
    });

    it('reads a form body in PHP bracket notation', async () => {
        await withEmulator({}, async (emulator) => {
            const form = `auth=${emulator.app.accessToken}&entityTypeId=2&fields[title]=From%20a%20form&fields[opportunity]=12.5`;
            const reply = await postForm(`${emulator.portalUrl}/rest/`, 'crm.item.add', form);
            assert.equal(reply.status, 200);
            assert.equal(reply.body.result.item.title, 'From a form');
            assert.equal(reply.body.result.item.opportunity, 12.5);
        });
    });

    it('accepts the token as Authorization: Bearer and as access_token', async () => {
        await withEmulator({}, async (emulator) => {
            const bearer = await postJson(
                `${emulator.portalUrl}/rest/`,
                'user.admin',
                {},
                { Authorization: `Bearer ${emulator.app.accessToken}` },
            );
            assert.equal(bearer.status, 200);
            const param = await postJson(`${emulator.portalUrl}/rest/`, 'user.admin', {
                access_token: emulator.app.accessToken,
            });
            assert.equal(param.status, 200);
        });
    });

    it('treats parameter keys case-insensitively where Bitrix lowercases them', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await rest(emulator, 'event.offline.get', { LIMIT: '0' });
            assert.equal(reply.status, 400);
            assert.equal(reply.body.argument, 'LIMIT');
        });
    });

    it('answers an unknown method with 404 ERROR_METHOD_NOT_FOUND before checking auth', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await postJson(`${emulator.portalUrl}/rest/`, 'no.such.method', {});
            assertRestError(reply, 404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');
        });
    });

    it('answers a call without auth with 401 NO_AUTH_FOUND', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await postJson(`${emulator.portalUrl}/rest/`, 'profile', {});
            assertRestError(reply, 401, 'NO_AUTH_FOUND', 'Wrong authorization data');
        });
    });

    it('answers an unknown token with 401 invalid_token', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await rest(emulator, 'profile', {}, 'not-a-token');
            assert.equal(reply.status, 401);
            assert.equal(reply.body.error, 'invalid_token');
        });
    });

    it('gives argument errors an argument key and status 400', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await rest(emulator, 'event.offline.clear', {});
            assertRestError(
                reply,
                400,
                'ERROR_ARGUMENT',
                "Argument 'PROCESS_ID' is null or empty",
                'PROCESS_ID',
            );
        });
    });

    it('moves next and total of list methods to the top level', async () => {
        await withEmulator({}, async (emulator) => {
            for (let i = 0; i < 51; i++)
                emulator.control.userChange({ entityTypeId: 2, action: 'add', fields: { title: `d${i}` } });
            const reply = await rest(emulator, 'crm.item.list', { entityTypeId: 2 });
            assert.equal(reply.body.result.items.length, 50);
            assert.equal(reply.body.next, 50);
            assert.equal(reply.body.total, 51);
            const second = await rest(emulator, 'crm.item.list', { entityTypeId: 2, start: 50 });
            assert.equal(second.body.result.items.length, 1);
            assert.equal(second.body.next, undefined);
        });
    });

    it('names the calling app in X-Bitrix-Rest-Application', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await rest(emulator, 'app.info');
            assert.equal(reply.headers.get('x-bitrix-rest-application'), emulator.app.clientId);
            assert.equal(reply.body.result.CODE, emulator.app.clientId);
            assert.equal(reply.body.result.INSTALLED, true);
        });
    });
});
