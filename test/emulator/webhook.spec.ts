/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   reply bodies are arbitrary JSON (typed `any` in helpers.ts) that these tests check field by field */
import assert from 'node:assert/strict';

import { assertRestError, get, hook, postJson, withEmulator } from './helpers';

describe('emulator: incoming webhooks (docs/bitrix24.md §7)', () => {
    it('runs a method as the webhook user', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await hook(emulator, 'profile');
            assert.equal(reply.status, 200);
            assert.equal(reply.body.result.ID, '1');
        });
    });

    for (const method of [
        'event.bind',
        'event.get',
        'event.offline.get',
        'event.offline.list',
        'event.offline.clear',
        'events',
    ]) {
        it(`answers ${method} from a webhook with 403 WRONG_AUTH_TYPE`, async () => {
            await withEmulator({}, async (emulator) => {
                const reply = await hook(emulator, method, { event: 'ONCRMDEALADD', process_id: 'x' });
                assertRestError(
                    reply,
                    403,
                    'WRONG_AUTH_TYPE',
                    'Current authorization type is denied for this method',
                );
            });
        });
    }

    it('answers a wrong secret with 401 INVALID_CREDENTIALS', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await postJson(`${emulator.portalUrl}/rest/1/wrongsecret/`, 'profile');
            assertRestError(reply, 401, 'INVALID_CREDENTIALS', 'Invalid request credentials');
        });
    });

    it('works with GET and the .json suffix', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await get(`${emulator.webhookUrl}user.admin.json`);
            assert.equal(reply.body.result, true);
        });
    });

    it('runs as a non-administrator when the webhook belongs to one', async () => {
        await withEmulator({}, async (emulator) => {
            const employee = emulator.control.createWebhook({ userId: 2 });
            const reply = await postJson(employee.url, 'user.admin');
            assert.equal(reply.body.result, false);
        });
    });

    it('answers a method outside the webhook scope with insufficient_scope', async () => {
        await withEmulator({}, async (emulator) => {
            const crmOnly = emulator.control.createWebhook({ userId: 1, scope: ['crm'] });
            const reply = await postJson(crmOnly.url, 'tasks.task.add', { fields: { TITLE: 't' } });
            assert.equal(reply.status, 401);
            assert.equal(reply.body.error, 'insufficient_scope');
        });
    });

    it('reports SCOPE and LICENSE from app.info', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await hook(emulator, 'app.info');
            assert.deepEqual(reply.body.result.SCOPE, ['crm', 'task', 'user']);
            assert.equal(typeof reply.body.result.LICENSE, 'string');
        });
    });
});
