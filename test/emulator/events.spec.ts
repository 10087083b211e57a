/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   reply bodies are arbitrary JSON (typed `any` in helpers.ts) that these tests check field by field */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

import { assertRestError, bindOffline, type Body, hook, rest, userDealChange, withEmulator } from './helpers';

describe('emulator: changes raise offline rows (docs/bitrix24.md §11)', () => {
    it('queues {FIELDS:{ID}} for a deal changed through a webhook, with the webhook user in EVENT_ADDITIONAL', async () => {
        await withEmulator({}, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALADD');
            const added = await hook(emulator, 'crm.deal.add', { fields: { TITLE: 'Via webhook' } });
            const reply = await rest(emulator, 'event.offline.get', {});
            assert.deepEqual(reply.body.result.events[0].EVENT_DATA, { FIELDS: { ID: added.body.result } });
            assert.deepEqual(reply.body.result.events[0].EVENT_ADDITIONAL, { user_id: '1' });
        });
    });

    it('queues both the generic and the per-type event for a smart-process item, with ENTITY_TYPE_ID', async () => {
        await withEmulator({}, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDYNAMICITEMADD');
            await bindOffline(emulator, 'ONCRMDYNAMICITEMADD_1036');
            const item = await hook(emulator, 'crm.item.add', {
                entityTypeId: 1036,
                fields: { title: 'SP' },
            });
            const reply = await rest(emulator, 'event.offline.get', {});
            const id = item.body.result.item.id;
            assert.deepEqual(
                reply.body.result.events.map((event: Body) => [event.EVENT_NAME, event.EVENT_DATA]),
                [
                    ['ONCRMDYNAMICITEMADD', { FIELDS: { ID: id, ENTITY_TYPE_ID: 1036 } }],
                    ['ONCRMDYNAMICITEMADD_1036', { FIELDS: { ID: id, ENTITY_TYPE_ID: 1036 } }],
                ],
            );
        });
    });

    it('queues lead, contact, company and quote changes under their own event names', async () => {
        await withEmulator({}, async (emulator) => {
            const names = ['ONCRMLEADADD', 'ONCRMCONTACTADD', 'ONCRMCOMPANYADD', 'ONCRMQUOTEADD'];
            for (const name of names) await bindOffline(emulator, name);
            for (const entityTypeId of [1, 3, 4, 7])
                emulator.control.userChange({ entityTypeId, action: 'add' });
            const reply = await rest(emulator, 'event.offline.get', {});
            assert.deepEqual(
                reply.body.result.events.map((event: Body) => event.EVENT_NAME),
                names,
            );
        });
    });

    it('queues task events with FIELDS_BEFORE, FIELDS_AFTER and IS_ACCESSIBLE_*', async () => {
        await withEmulator({}, async (emulator) => {
            for (const name of ['ONTASKADD', 'ONTASKUPDATE', 'ONTASKDELETE'])
                await bindOffline(emulator, name);
            const task = await hook(emulator, 'tasks.task.add', {
                fields: { TITLE: 'Call back', RESPONSIBLE_ID: 1 },
            });
            const taskId = Number(task.body.result.task.id);
            await hook(emulator, 'tasks.task.update', { taskId, fields: { TITLE: 'Call back today' } });
            await hook(emulator, 'tasks.task.delete', { taskId });
            const reply = await rest(emulator, 'event.offline.get', {});
            assert.deepEqual(
                reply.body.result.events.map((event: Body) => event.EVENT_DATA),
                [
                    {
                        FIELDS_BEFORE: 'undefined',
                        FIELDS_AFTER: { ID: taskId },
                        IS_ACCESSIBLE_BEFORE: 'N',
                        IS_ACCESSIBLE_AFTER: 'undefined',
                    },
                    {
                        FIELDS_BEFORE: { ID: taskId },
                        FIELDS_AFTER: { ID: taskId },
                        IS_ACCESSIBLE_BEFORE: 'undefined',
                        IS_ACCESSIBLE_AFTER: 'undefined',
                    },
                    {
                        FIELDS_BEFORE: { ID: taskId },
                        FIELDS_AFTER: 'undefined',
                        IS_ACCESSIBLE_BEFORE: 'undefined',
                        IS_ACCESSIBLE_AFTER: 'N',
                    },
                ],
            );
        });
    });

    it("queues no row for the app's own write with its connector, but one for a user's write", async () => {
        await withEmulator({}, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALUPDATE', { auth_connector: 'erp' });
            const deal = userDealChange(emulator, 'add');
            await rest(emulator, 'crm.deal.update', {
                id: deal.id,
                fields: { TITLE: 'from ERP' },
                auth_connector: 'erp',
            });
            assert.equal(emulator.control.queueRows().length, 0);
            assert.equal(emulator.control.counters().rowsSuppressed, 1);
            userDealChange(emulator, 'update', deal.id, { title: 'from a user' });
            const reply = await rest(emulator, 'event.offline.get', { auth_connector: 'erp' });
            assert.equal(reply.body.result.events.length, 1);
        });
    });

    const ownWrites: [title: string, binding: Record<string, unknown>, rows: number][] = [
        [
            "queues the app's own write made with another connector than the binding's",
            { auth_connector: 'erp' },
            1,
        ],
        ["suppresses the app's own write without a connector on a binding without one (per source)", {}, 0],
    ];
    for (const [title, binding, rows] of ownWrites) {
        it(title, async () => {
            await withEmulator({}, async (emulator) => {
                await bindOffline(emulator, 'ONCRMDEALUPDATE', binding);
                const deal = userDealChange(emulator, 'add');
                await rest(emulator, 'crm.deal.update', { id: deal.id, fields: { TITLE: 'x' } });
                assert.equal(emulator.control.queueRows().length, rows);
            });
        });
    }

    it('queues a change made by another app for every matching binding', async () => {
        await withEmulator({}, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALADD');
            await bindOffline(emulator, 'ONCRMDEALADD', { auth_connector: 'erp' });
            const other = await emulator.control.installApp({});
            await rest(
                emulator,
                'crm.item.add',
                { entityTypeId: 2, fields: { title: 'other app' } },
                other.accessToken,
            );
            const rows = emulator.control.queueRows({ clientId: emulator.app.clientId });
            assert.deepEqual(rows.map((row) => row.CONNECTOR_ID).sort(), ['', 'erp']);
        });
    });

    it('fails the whole call with 403 WRONG_LICENSE when auth_connector is sent without rest_auth_connector', async () => {
        await withEmulator({ features: { rest_auth_connector: false } }, async (emulator) => {
            const reply = await rest(emulator, 'crm.deal.add', {
                fields: { TITLE: 'x' },
                auth_connector: 'erp',
            });
            assertRestError(
                reply,
                403,
                'WRONG_LICENSE',
                'This feature is not enabled for the current license: auth_connector',
            );
            assert.equal((await rest(emulator, 'crm.deal.list')).body.total, 0);
        });
    });

    it('ignores auth_connector on a webhook write: no license check, and the row is queued', async () => {
        await withEmulator({ features: { rest_auth_connector: false } }, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALADD');
            const reply = await hook(emulator, 'crm.deal.add', {
                fields: { TITLE: 'x' },
                auth_connector: 'erp',
            });
            assert.equal(reply.status, 200);
            assert.equal(emulator.control.queueRows().length, 1);
        });
    });

    it('queues nothing for an app that is inactive or not installed', async () => {
        await withEmulator({}, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALADD');
            emulator.control.setAppState(emulator.app.clientId, { installed: false });
            userDealChange(emulator, 'add');
            assert.equal(emulator.control.queueRows().length, 0);
            emulator.control.setAppState(emulator.app.clientId, { installed: true, active: false });
            userDealChange(emulator, 'add');
            assert.equal(emulator.control.queueRows().length, 0);
        });
    });

    it('records user_id 0 for a change made by a robot', async () => {
        await withEmulator({}, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALADD');
            emulator.control.userChange({ entity: 'deal', action: 'add', userId: 0 });
            const reply = await rest(emulator, 'event.offline.get', {});
            assert.deepEqual(reply.body.result.events[0].EVENT_ADDITIONAL, { user_id: 0 });
        });
    });

    it('answers crm.item.get for a deleted item with 400 NOT_FOUND and crm.deal.get with an empty error code', async () => {
        await withEmulator({}, async (emulator) => {
            const deal = userDealChange(emulator, 'add');
            userDealChange(emulator, 'delete', deal.id);
            const item = await rest(emulator, 'crm.item.get', { entityTypeId: 2, id: deal.id });
            assert.equal(item.status, 400);
            assert.equal(item.body.error, 'NOT_FOUND');
            const legacy = await rest(emulator, 'crm.deal.get', { id: deal.id });
            assert.equal(legacy.status, 400);
            assert.deepEqual(legacy.body, { error: '', error_description: 'Not found' });
        });
    });

    it('answers tasks.task.get for a deleted task with 200 and an empty result (docs/bitrix24.md §15.1)', async () => {
        await withEmulator({}, async (emulator) => {
            const task = emulator.control.userChange({
                entity: 'task',
                action: 'add',
                fields: { TITLE: 'Gone' },
            });
            emulator.control.userChange({ entity: 'task', action: 'delete', id: task.id });
            const reply = await rest(emulator, 'tasks.task.get', { taskId: task.id });
            assert.equal(reply.status, 200);
            assert.deepEqual(reply.body.result, []);
        });
    });

    it('queues an id sent as a string ("49") apart from the number 49: MESSAGE_ID hashes the JSON (docs/bitrix24.md §15.8)', async () => {
        await withEmulator({}, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALUPDATE');
            const deal = userDealChange(emulator, 'add');
            emulator.control.userChange({ entity: 'deal', action: 'update', id: deal.id });
            emulator.control.userChange({ entity: 'deal', action: 'update', id: deal.id, idAsString: true });
            const rows = emulator.control.queueRows();
            const md5 = (json: string) => createHash('md5').update(`ONCRMDEALUPDATE|${json}`).digest('hex');
            assert.deepEqual(
                rows.map((row) => [row.EVENT_DATA, row.MESSAGE_ID]),
                [
                    [{ FIELDS: { ID: deal.id } }, md5(`{"FIELDS":{"ID":${deal.id}}}`)],
                    [{ FIELDS: { ID: String(deal.id) } }, md5(`{"FIELDS":{"ID":"${deal.id}"}}`)],
                ],
            );
        });
    });
});
