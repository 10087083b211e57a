/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   reply bodies are arbitrary JSON (typed `any` in helpers.ts) that these tests check field by field */
import assert from 'node:assert/strict';

import type { Emulator } from '../../dist/emulator';
import {
    argumentError,
    bindOffline,
    type Body,
    itRefuses,
    OFFLINE_GET_FIELDS,
    queueDealAdds,
    rest,
    userDealChange,
    withEmulator,
} from './helpers';

/** Reserves two rows, then reads that reservation again by its process_id with `params`. */
async function reserveTwoAndReread(emulator: Emulator, params: Record<string, unknown>) {
    await queueDealAdds(emulator, 2);
    const first = await rest(emulator, 'event.offline.get', { clear: 0 });
    const reread = await rest(emulator, 'event.offline.get', {
        ...params,
        process_id: first.body.result.process_id,
    });
    return { first, reread };
}

describe('emulator: event.offline.get (docs/bitrix24.md §1)', () => {
    it('keeps one row for 1000 updates of one deal, with the last timestamp and the first ID', async () => {
        await withEmulator({}, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALUPDATE');
            const deal = userDealChange(emulator, 'add');
            userDealChange(emulator, 'update', deal.id, { title: 'first' });
            const first = emulator.control.queueRows()[0];
            emulator.control.setClock({ advanceSeconds: 100 });
            const before = emulator.control.state().clock.iso;
            for (let i = 0; i < 999; i++) userDealChange(emulator, 'update', deal.id, { title: `edit ${i}` });
            const after = emulator.control.state().clock.iso;

            const reply = await rest(emulator, 'event.offline.get', { clear: 0 });
            assert.equal(reply.body.result.events.length, 1);
            const event = reply.body.result.events[0];
            assert.equal(event.ID, String(first.ID));
            // The stamp of the last change: 100 s after the first one, within the loop's second(s).
            assert.ok(event.TIMESTAMP_X >= before && event.TIMESTAMP_X <= after, event.TIMESTAMP_X);
            assert.notEqual(event.TIMESTAMP_X, first.TIMESTAMP_X);
            assert.deepEqual(event.EVENT_DATA, { FIELDS: { ID: deal.id } });
        });
    });

    it('keeps ADD, UPDATE and DELETE of one deal as three rows', async () => {
        await withEmulator({}, async (emulator) => {
            for (const event of ['ONCRMDEALADD', 'ONCRMDEALUPDATE', 'ONCRMDEALDELETE'])
                await bindOffline(emulator, event);
            const deal = userDealChange(emulator, 'add');
            userDealChange(emulator, 'update', deal.id, { title: 'x' });
            userDealChange(emulator, 'delete', deal.id);
            const reply = await rest(emulator, 'event.offline.get', {});
            const names = reply.body.result.events.map((event: Body) => event.EVENT_NAME);
            assert.deepEqual(names, ['ONCRMDEALADD', 'ONCRMDEALUPDATE', 'ONCRMDEALDELETE']);
            assert.equal(new Set(reply.body.result.events.map((event: Body) => event.MESSAGE_ID)).size, 3);
        });
    });

    it('returns exactly the six documented fields, with a 32-character md5 MESSAGE_ID and user_id', async () => {
        await withEmulator({}, async (emulator) => {
            await queueDealAdds(emulator, 1);
            const reply = await rest(emulator, 'event.offline.get', {});
            const event = reply.body.result.events[0];
            assert.deepEqual(Object.keys(event), OFFLINE_GET_FIELDS);
            assert.match(event.MESSAGE_ID, /^[0-9a-f]{32}$/);
            assert.deepEqual(event.EVENT_ADDITIONAL, { user_id: '1' });
            assert.equal(typeof event.ID, 'string');
        });
    });

    it('deletes the rows it returns when clear is left at its default of 1, with process_id null', async () => {
        await withEmulator({}, async (emulator) => {
            await queueDealAdds(emulator, 1);
            const reply = await rest(emulator, 'event.offline.get', {});
            assert.equal(reply.body.result.process_id, null);
            assert.equal(reply.body.result.events.length, 1);
            assert.equal(emulator.control.queueRows().length, 0);
        });
    });

    it('reserves rows under a new 32-character lowercase process_id with clear=0', async () => {
        await withEmulator({}, async (emulator) => {
            await queueDealAdds(emulator, 1);
            const reply = await rest(emulator, 'event.offline.get', { clear: 0 });
            assert.match(reply.body.result.process_id, /^[a-z0-9]{32}$/);
            const rows = emulator.control.queueRows();
            assert.equal(rows.length, 1);
            assert.equal(rows[0].PROCESS_ID, reply.body.result.process_id);
            const again = await rest(emulator, 'event.offline.get', { clear: 0 });
            assert.equal(again.body.result.events.length, 0);
        });
    });

    it('refuses clear=0 without rest_offline_extended with 403 WRONG_LICENSE', async () => {
        await withEmulator({ features: { rest_offline_extended: false } }, async (emulator) => {
            const reply = await rest(emulator, 'event.offline.get', { clear: '0' });
            assert.equal(reply.status, 403);
            assert.deepEqual(reply.body, {
                error: 'WRONG_LICENSE',
                error_description:
                    'This feature is not enabled for the current license: extended offline events handling',
            });
        });
    });

    it('reads clear the way PHP intval does: "false" and "no" mean 0', async () => {
        await withEmulator({}, async (emulator) => {
            await queueDealAdds(emulator, 1);
            const reply = await rest(emulator, 'event.offline.get', { clear: 'false' });
            assert.match(reply.body.result.process_id, /^[a-z0-9]{32}$/);
            assert.equal(emulator.control.queueRows().length, 1);
        });
    });

    it('re-reads a reservation with process_id and clear=0 without deleting it', async () => {
        await withEmulator({}, async (emulator) => {
            const { first, reread } = await reserveTwoAndReread(emulator, { clear: 0 });
            assert.deepEqual(reread.body.result, first.body.result);
            assert.equal(emulator.control.queueRows().length, 2);
        });
    });

    it('deletes a re-read reservation when process_id is given and clear is left at 1', async () => {
        await withEmulator({}, async (emulator) => {
            const { first, reread } = await reserveTwoAndReread(emulator, { limit: 1 });
            assert.equal(reread.body.result.process_id, first.body.result.process_id);
            assert.equal(reread.body.result.events.length, 1);
            // clearEvents removes the whole reservation, not only the rows returned.
            assert.equal(emulator.control.queueRows().length, 0);
        });
    });

    it('does not lose a change made while its row is reserved', async () => {
        await withEmulator({}, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALUPDATE');
            const deal = userDealChange(emulator, 'add');
            userDealChange(emulator, 'update', deal.id, { title: 'before' });
            const reserved = await rest(emulator, 'event.offline.get', { clear: 0 });
            userDealChange(emulator, 'update', deal.id, { title: 'during' });
            await rest(emulator, 'event.offline.clear', { process_id: reserved.body.result.process_id });
            const next = await rest(emulator, 'event.offline.get', { clear: 0 });
            assert.equal(next.body.result.events.length, 1);
            assert.equal(next.body.result.events[0].MESSAGE_ID, reserved.body.result.events[0].MESSAGE_ID);
            assert.notEqual(next.body.result.events[0].ID, reserved.body.result.events[0].ID);
        });
    });

    it('never gives the same row to parallel get calls', async () => {
        await withEmulator({}, async (emulator) => {
            await queueDealAdds(emulator, 200);
            const replies = await Promise.all(
                Array.from({ length: 10 }, () =>
                    rest(emulator, 'event.offline.get', { clear: 0, limit: 30 }),
                ),
            );
            const ids = replies.flatMap((reply) => reply.body.result.events.map((event: Body) => event.ID));
            assert.equal(ids.length, 200);
            assert.equal(new Set(ids).size, 200);
        });
    });

    it('orders by TIMESTAMP_X ascending by default and honours order and limit', async () => {
        await withEmulator({}, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALUPDATE');
            const a = userDealChange(emulator, 'add');
            const b = userDealChange(emulator, 'add');
            userDealChange(emulator, 'update', b.id);
            emulator.control.setClock({ advanceSeconds: 5 });
            userDealChange(emulator, 'update', a.id);
            const byTime = await rest(emulator, 'event.offline.get', { clear: 0 });
            assert.deepEqual(
                byTime.body.result.events.map((event: Body) => event.EVENT_DATA.FIELDS.ID),
                [b.id, a.id],
            );
            const pid = byTime.body.result.process_id;
            const byIdDesc = await rest(emulator, 'event.offline.get', {
                clear: 0,
                process_id: pid,
                order: { ID: 'desc' },
                limit: 1,
            });
            assert.equal(byIdDesc.body.result.events.length, 1);
            assert.equal(byIdDesc.body.result.events[0].EVENT_DATA.FIELDS.ID, a.id);
        });
    });

    it('has no upper bound on limit', async () => {
        await withEmulator({}, async (emulator) => {
            await queueDealAdds(emulator, 120);
            const reply = await rest(emulator, 'event.offline.get', { limit: 100000 });
            assert.equal(reply.body.result.events.length, 120);
        });
    });

    it('filters on ID with an operator prefix', async () => {
        await withEmulator({}, async (emulator) => {
            await queueDealAdds(emulator, 5);
            const reply = await rest(emulator, 'event.offline.get', { filter: { '>ID': '3' } });
            assert.deepEqual(
                reply.body.result.events.map((event: Body) => event.ID),
                ['4', '5'],
            );
        });
    });

    it('refuses a TIMESTAMP_X condition when reserving, but accepts it when re-reading (per source)', async () => {
        await withEmulator({}, async (emulator) => {
            await queueDealAdds(emulator, 1);
            const since = '2000-01-01T00:00:00+00:00';
            const reserving = await rest(emulator, 'event.offline.get', {
                clear: 0,
                filter: { '>TIMESTAMP_X': since },
            });
            assert.equal(reserving.status, 400);
            assert.equal(reserving.body.argument, '>TIMESTAMP_X');
            const reserved = await rest(emulator, 'event.offline.get', { clear: 0 });
            const reread = await rest(emulator, 'event.offline.get', {
                clear: 0,
                process_id: reserved.body.result.process_id,
                filter: { '>TIMESTAMP_X': since },
            });
            assert.equal(reread.body.result.events.length, 1);
        });
    });

    it('reads the unreserved rows when process_id is an empty string (per source)', async () => {
        await withEmulator({}, async (emulator) => {
            await queueDealAdds(emulator, 1);
            const reply = await rest(emulator, 'event.offline.get', { clear: 0, process_id: '' });
            assert.equal(reply.body.result.process_id, '');
            assert.equal(reply.body.result.events.length, 1);
            assert.equal(emulator.control.queueRows()[0].PROCESS_ID, '');
        });
    });

    itRefuses('event.offline.get', [
        ...['0', '-5', 'abc'].map((limit) => ({
            what: `limit ${JSON.stringify(limit)}`,
            params: { limit },
            ...argumentError('Value must be positive integer', 'LIMIT'),
        })),
        {
            what: 'a filter field outside ID, TIMESTAMP_X, EVENT_NAME, MESSAGE_ID',
            params: { filter: { PROCESS_ID: '' } },
            ...argumentError('Filter field not allowed: PROCESS_ID'),
        },
        {
            what: 'an unknown filter operator',
            params: { filter: { '!ID': 1 } },
            ...argumentError('Filter operation not allowed: !'),
        },
        {
            what: 'an array filter value in get, as an argument-type error (per source)',
            params: { filter: { '@ID': [1, 2] } },
            ...argumentError("The value of an argument '@ID' has an invalid type", '@ID'),
        },
        {
            what: 'an order field it does not know',
            params: { order: { ERROR: 'ASC' } },
            ...argumentError('Order field not allowed: ERROR'),
        },
        {
            what: 'an order direction it does not know',
            params: { order: { ID: 'UP' } },
            ...argumentError('Order direction should be one of {ASC|DESC}'),
        },
        {
            what: 'a filter that is not an array',
            params: { filter: 'ID=1' },
            ...argumentError('The filter is not an array.'),
        },
    ]);

    it('refuses a non-administrator with 403 ACCESS_DENIED', async () => {
        await withEmulator({}, async (emulator) => {
            const employee = emulator.control.issueTokens({ userId: 2 });
            const reply = await rest(emulator, 'event.offline.get', {}, employee.accessToken);
            assert.equal(reply.status, 403);
            assert.deepEqual(reply.body, { error: 'ACCESS_DENIED', error_description: 'Access denied!' });
        });
    });

    it('purges reservations whose last change is older than 2952000 s, driven by the clock', async () => {
        await withEmulator({}, async (emulator) => {
            await queueDealAdds(emulator, 2);
            await rest(emulator, 'event.offline.get', { clear: 0, limit: 1 });
            emulator.control.setClock({ advanceSeconds: 34 * 86400 });
            assert.equal(emulator.control.queueRows().length, 2);
            emulator.control.setClock({ advanceSeconds: 86400 });
            const rows = emulator.control.queueRows();
            assert.equal(rows.length, 1);
            assert.equal(rows[0].PROCESS_ID, '');
            assert.equal(emulator.control.counters().rowsPurged, 1);
        });
    });
});
