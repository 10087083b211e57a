/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   reply bodies are arbitrary JSON (typed `any` in helpers.ts) that these tests check field by field */
import assert from 'node:assert/strict';

import {
    argumentError,
    assertRestError,
    bindOffline,
    type Body,
    itRefuses,
    queueDealAdds,
    rest,
    userDealChange,
    withEmulator,
} from './helpers';

async function reserveThree(emulator: Parameters<Parameters<typeof withEmulator>[1]>[0]) {
    await queueDealAdds(emulator, 3);
    const reply = await rest(emulator, 'event.offline.get', { clear: 0 });
    return { processId: reply.body.result.process_id as string, events: reply.body.result.events as Body[] };
}

describe('emulator: event.offline.clear (docs/bitrix24.md §2)', () => {
    it('clears by message_id and leaves the rest of the reservation reserved', async () => {
        await withEmulator({}, async (emulator) => {
            const { processId, events } = await reserveThree(emulator);
            const reply = await rest(emulator, 'event.offline.clear', {
                process_id: processId,
                message_id: [events[0].MESSAGE_ID],
            });
            assert.deepEqual(reply.body.result, true);
            const rows = emulator.control.queueRows();
            assert.deepEqual(
                rows.map((row) => String(row.ID)),
                [events[1].ID, events[2].ID],
            );
            assert.ok(rows.every((row) => row.PROCESS_ID === processId));
        });
    });

    it('clears by id', async () => {
        await withEmulator({}, async (emulator) => {
            const { processId, events } = await reserveThree(emulator);
            await rest(emulator, 'event.offline.clear', { process_id: processId, id: [events[1].ID] });
            assert.deepEqual(
                emulator.control.queueRows().map((row) => String(row.ID)),
                [events[0].ID, events[2].ID],
            );
        });
    });

    it('uses message_id and ignores id when both are given (source over docs)', async () => {
        await withEmulator({}, async (emulator) => {
            const { processId, events } = await reserveThree(emulator);
            await rest(emulator, 'event.offline.clear', {
                process_id: processId,
                id: [events[0].ID],
                message_id: [events[2].MESSAGE_ID],
            });
            assert.deepEqual(
                emulator.control.queueRows().map((row) => String(row.ID)),
                [events[0].ID, events[1].ID],
            );
        });
    });

    it('clears the whole reservation when neither id nor message_id is given', async () => {
        await withEmulator({}, async (emulator) => {
            const { processId } = await reserveThree(emulator);
            await rest(emulator, 'event.offline.clear', { process_id: processId });
            assert.equal(emulator.control.queueRows().length, 0);
        });
    });

    it('answers true even when nothing matched', async () => {
        await withEmulator({}, async (emulator) => {
            const { processId } = await reserveThree(emulator);
            const wrongConnector = await rest(emulator, 'event.offline.clear', {
                process_id: processId,
                auth_connector: 'other',
            });
            assert.equal(wrongConnector.body.result, true);
            const stale = await rest(emulator, 'event.offline.clear', { process_id: 'x'.repeat(32) });
            assert.equal(stale.body.result, true);
            assert.equal(emulator.control.queueRows().length, 3);
        });
    });

    it('refuses a message_id that is not 32 characters, naming the argument messsage_id as the source does', async () => {
        await withEmulator({}, async (emulator) => {
            const { processId } = await reserveThree(emulator);
            const reply = await rest(emulator, 'event.offline.clear', {
                process_id: processId,
                message_id: ['2'],
            });
            assertRestError(
                reply,
                400,
                'ERROR_ARGUMENT',
                'Value must be array of MESSAGE_ID values',
                'messsage_id',
            );
        });
    });

    itRefuses('event.offline.clear', [
        {
            what: 'a message_id that is not an array',
            params: { process_id: 'p', message_id: 'abc' },
            ...argumentError('Value must be array of MESSAGE_ID values', 'message_id'),
        },
        {
            what: 'ids that are not positive integers',
            params: { process_id: 'p', id: ['0'] },
            ...argumentError('Value must be array of integers', 'id'),
        },
    ]);

    it('works with form-encoded arrays', async () => {
        await withEmulator({}, async (emulator) => {
            const { processId, events } = await reserveThree(emulator);
            const form = `auth=${emulator.app.accessToken}&process_id=${processId}&message_id[]=${events[0].MESSAGE_ID}&message_id[]=${events[1].MESSAGE_ID}`;
            const reply = await fetch(`${emulator.portalUrl}/rest/event.offline.clear`, {
                method: 'POST',
                headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
                body: form,
            });
            assert.equal(reply.status, 200);
            assert.equal(emulator.control.queueRows().length, 1);
        });
    });
});

describe('emulator: event.offline.error (docs/bitrix24.md §3)', () => {
    it('moves rows to the error sub-queue, which only error=1 reads', async () => {
        await withEmulator({}, async (emulator) => {
            const { processId, events } = await reserveThree(emulator);
            await rest(emulator, 'event.offline.error', {
                process_id: processId,
                message_id: [events[0].MESSAGE_ID],
            });
            await rest(emulator, 'event.offline.clear', { process_id: processId });
            const normal = await rest(emulator, 'event.offline.get', { clear: 0 });
            assert.equal(normal.body.result.events.length, 0);
            const errors = await rest(emulator, 'event.offline.get', { clear: 0, error: 1 });
            assert.deepEqual(
                errors.body.result.events.map((event: Body) => event.ID),
                [events[0].ID],
            );
        });
    });

    itRefuses('event.offline.error', [
        {
            what: 'a call without message_id, which must be an array (source over docs)',
            params: { process_id: 'p' },
            ...argumentError('Value must be array of MESSAGE_ID values', 'message_id'),
        },
    ]);

    it('folds a newer duplicate of the same object into the error row', async () => {
        await withEmulator({}, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALUPDATE');
            const deal = userDealChange(emulator, 'add');
            userDealChange(emulator, 'update', deal.id);
            const reserved = await rest(emulator, 'event.offline.get', { clear: 0 });
            userDealChange(emulator, 'update', deal.id);
            assert.equal(emulator.control.queueRows().length, 2);
            const messageId = reserved.body.result.events[0].MESSAGE_ID;
            await rest(emulator, 'event.offline.error', {
                process_id: reserved.body.result.process_id,
                message_id: [messageId],
            });
            const rows = emulator.control.queueRows();
            assert.equal(rows.length, 1);
            assert.deepEqual(
                [rows[0].ID, rows[0].ERROR, rows[0].PROCESS_ID],
                [Number(reserved.body.result.events[0].ID), 1, ''],
            );
        });
    });

    it('merges a later change into the error row, which stays in the error sub-queue', async () => {
        await withEmulator({}, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALUPDATE');
            const deal = userDealChange(emulator, 'add');
            userDealChange(emulator, 'update', deal.id);
            const reserved = await rest(emulator, 'event.offline.get', { clear: 0 });
            const messageId = reserved.body.result.events[0].MESSAGE_ID;
            await rest(emulator, 'event.offline.error', {
                process_id: reserved.body.result.process_id,
                message_id: [messageId],
            });
            userDealChange(emulator, 'update', deal.id);
            const rows = emulator.control.queueRows();
            assert.equal(rows.length, 1);
            assert.equal(rows[0].ERROR, 1);
            const normal = await rest(emulator, 'event.offline.get', {});
            assert.equal(normal.body.result.events.length, 0);
        });
    });

    it('does nothing to a row that is already ERROR=1: it stays reserved', async () => {
        await withEmulator({}, async (emulator) => {
            const { processId, events } = await reserveThree(emulator);
            await rest(emulator, 'event.offline.error', {
                process_id: processId,
                message_id: [events[0].MESSAGE_ID],
            });
            const errorRead = await rest(emulator, 'event.offline.get', { clear: 0, error: 1 });
            const errorProcess = errorRead.body.result.process_id;
            const again = await rest(emulator, 'event.offline.error', {
                process_id: errorProcess,
                message_id: [events[0].MESSAGE_ID],
            });
            assert.equal(again.body.result, true);
            const row = emulator.control
                .queueRows()
                .find((candidate) => String(candidate.ID) === events[0].ID);
            assert.deepEqual([row?.ERROR, row?.PROCESS_ID], [1, errorProcess]);
        });
    });

    it('accepts an empty message_id list as a no-op', async () => {
        await withEmulator({}, async (emulator) => {
            const { processId } = await reserveThree(emulator);
            const reply = await rest(emulator, 'event.offline.error', {
                process_id: processId,
                message_id: [],
            });
            assert.equal(reply.body.result, true);
            assert.ok(emulator.control.queueRows().every((row) => row.ERROR === 0));
        });
    });
});
