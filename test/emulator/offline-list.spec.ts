/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   reply bodies are arbitrary JSON (typed `any` in helpers.ts) that these tests check field by field */
import assert from 'node:assert/strict';

import {
    bindOffline,
    type Body,
    OFFLINE_GET_FIELDS,
    queueDealAdds,
    rest,
    userDealChange,
    withEmulator,
} from './helpers';

describe('emulator: event.offline.list (docs/bitrix24.md §4)', () => {
    it('pages 50 rows at a time with start, next and total, in ID order', async () => {
        await withEmulator({}, async (emulator) => {
            await queueDealAdds(emulator, 120);
            const first = await rest(emulator, 'event.offline.list', {});
            assert.equal(first.body.result.length, 50);
            assert.equal(first.body.total, 120);
            assert.equal(first.body.next, 50);
            assert.equal(first.body.result[0].ID, '1');
            const last = await rest(emulator, 'event.offline.list', { start: 100 });
            assert.equal(last.body.result.length, 20);
            assert.equal(last.body.next, undefined);
            assert.equal(last.body.result[19].ID, '120');
        });
    });

    it('shows reserved and error rows with PROCESS_ID and ERROR, and changes nothing', async () => {
        await withEmulator({}, async (emulator) => {
            await queueDealAdds(emulator, 3);
            const reserved = await rest(emulator, 'event.offline.get', { clear: 0, limit: 2 });
            await rest(emulator, 'event.offline.error', {
                process_id: reserved.body.result.process_id,
                message_id: [reserved.body.result.events[0].MESSAGE_ID],
            });
            const list = await rest(emulator, 'event.offline.list', {});
            assert.deepEqual(
                list.body.result.map((row: Body) => [row.ID, row.PROCESS_ID === '' ? '' : 'pid', row.ERROR]),
                [
                    ['1', '', '1'],
                    ['2', 'pid', '0'],
                    ['3', '', '0'],
                ],
            );
            assert.deepEqual(Object.keys(list.body.result[0]), [
                ...OFFLINE_GET_FIELDS,
                'PROCESS_ID',
                'ERROR',
            ]);
        });
    });

    it('filters on all six fields, with arrays allowed', async () => {
        await withEmulator({}, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALADD');
            await bindOffline(emulator, 'ONCRMDEALUPDATE');
            const deal = userDealChange(emulator, 'add');
            userDealChange(emulator, 'update', deal.id);
            const reserved = await rest(emulator, 'event.offline.get', { clear: 0, limit: 1 });
            const all = (await rest(emulator, 'event.offline.list', {})).body.result as Body[];
            const ids = async (filter: Record<string, unknown>) =>
                ((await rest(emulator, 'event.offline.list', { filter })).body.result as Body[]).map(
                    (row) => row.ID,
                );
            assert.deepEqual(await ids({ '@ID': [1, 2] }), ['1', '2']);
            assert.deepEqual(await ids({ EVENT_NAME: 'ONCRMDEALUPDATE' }), ['2']);
            assert.deepEqual(await ids({ '%EVENT_NAME': 'dealadd' }), ['1']);
            assert.deepEqual(await ids({ MESSAGE_ID: all[1].MESSAGE_ID }), ['2']);
            assert.deepEqual(await ids({ PROCESS_ID: reserved.body.result.process_id }), ['1']);
            assert.deepEqual(await ids({ '>PROCESS_ID': '' }), ['1']);
            assert.deepEqual(await ids({ ERROR: 0 }), ['1', '2']);
            assert.deepEqual(await ids({ '>=TIMESTAMP_X': all[0].TIMESTAMP_X }), ['1', '2']);
        });
    });

    it('honours order on the six fields', async () => {
        await withEmulator({}, async (emulator) => {
            await queueDealAdds(emulator, 3);
            const reply = await rest(emulator, 'event.offline.list', { order: { ID: 'DESC' } });
            assert.deepEqual(
                reply.body.result.map((row: Body) => row.ID),
                ['3', '2', '1'],
            );
        });
    });

    it('shows only the rows of the request connector', async () => {
        await withEmulator({}, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALADD');
            await bindOffline(emulator, 'ONCRMDEALADD', { auth_connector: 'erp' });
            userDealChange(emulator, 'add');
            const plain = await rest(emulator, 'event.offline.list', {});
            const erp = await rest(emulator, 'event.offline.list', { auth_connector: 'erp' });
            assert.equal(plain.body.total, 1);
            assert.equal(erp.body.total, 1);
            assert.notEqual(plain.body.result[0].ID, erp.body.result[0].ID);
        });
    });

    it('answers start=-1 with the first page and neither total nor next (docs/bitrix24.md §15.11)', async () => {
        await withEmulator({}, async (emulator) => {
            await queueDealAdds(emulator, 60);
            const reply = await rest(emulator, 'event.offline.list', { start: -1 });
            assert.equal(reply.body.result.length, 50);
            assert.equal('total' in reply.body, false);
            assert.equal('next' in reply.body, false);
        });
    });

    it('answers with total 0 and no next under legacyPaging, as older self-hosted builds do (docs/bitrix24.md §15.5)', async () => {
        await withEmulator({ legacyPaging: true }, async (emulator) => {
            await queueDealAdds(emulator, 60);
            const first = await rest(emulator, 'event.offline.list', {});
            assert.equal(first.body.result.length, 50);
            assert.equal(first.body.total, 0);
            assert.equal('next' in first.body, false);
            const second = await rest(emulator, 'event.offline.list', { start: 50 });
            assert.equal(second.body.result.length, 10);
        });
    });
});
