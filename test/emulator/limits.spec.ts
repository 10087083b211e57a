/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument --
   reply bodies are arbitrary JSON (typed `any` in helpers.ts) that these tests check field by field */
import assert from 'node:assert/strict';

import { assertRestError, rest, sleep, withEmulator } from './helpers';

describe('emulator: request-rate limit, a leaky bucket per portal (docs/bitrix24.md §8)', () => {
    it('answers the 51st rapid call with 503 QUERY_LIMIT_EXCEEDED and a call after the drain time succeeds', async () => {
        await withEmulator({ limits: 'on' }, async (emulator) => {
            // A frozen clock makes "rapid" exact: nothing drains until the clock is moved.
            emulator.control.setClock({ freeze: true });
            for (let i = 0; i < 50; i++)
                assert.equal((await rest(emulator, 'user.admin')).status, 200, `call ${i + 1}`);
            const refused = await rest(emulator, 'user.admin');
            assertRestError(refused, 503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests');
            emulator.control.setClock({ advanceSeconds: 0.5 });
            assert.equal((await rest(emulator, 'user.admin')).status, 200);
        });
    });

    it('drains continuously, not in steps: 0.3 s at 4 per second makes room for exactly one more', async () => {
        await withEmulator({ limits: { burst: 5, rps: 4 } }, async (emulator) => {
            emulator.control.setClock({ freeze: true });
            const burst = await Promise.all(Array.from({ length: 6 }, () => rest(emulator, 'user.admin')));
            assert.deepEqual(burst.map((reply) => reply.status).sort(), [200, 200, 200, 200, 200, 503]);
            emulator.control.setClock({ advanceSeconds: 0.3 });
            // 5 - 1.2 drained = 3.8: one more fits (4.8), the next would make 5.8.
            assert.equal((await rest(emulator, 'user.admin')).status, 200);
            assert.equal((await rest(emulator, 'user.admin')).status, 503);
        });
    });

    it('drains on the real clock too: after waiting, the bucket takes a full burst again', async () => {
        await withEmulator({ limits: { burst: 3, rps: 20 } }, async (emulator) => {
            for (let i = 0; i < 3; i++) assert.equal((await rest(emulator, 'user.admin')).status, 200);
            await sleep(200);
            for (let i = 0; i < 3; i++) assert.equal((await rest(emulator, 'user.admin')).status, 200);
        });
    });

    it('counts a batch of 50 commands as one request', async () => {
        await withEmulator({ limits: { burst: 5, rps: 0.001 } }, async (emulator) => {
            const cmd = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`c${i}`, 'user.admin']));
            const batch = await rest(emulator, 'batch', { cmd });
            assert.equal(batch.status, 200);
            assert.equal(Object.keys(batch.body.result.result).length, 50);
            for (let i = 0; i < 4; i++) assert.equal((await rest(emulator, 'user.admin')).status, 200);
            assert.equal((await rest(emulator, 'user.admin')).status, 503);
        });
    });

    it('gives enterprise plans 250 requests of burst, draining 5 per second', async () => {
        await withEmulator({ limits: 'on', plan: 'enterprise' }, async (emulator) => {
            emulator.control.setClock({ freeze: true });
            const replies = await Promise.all(
                Array.from({ length: 251 }, () => rest(emulator, 'user.admin')),
            );
            assert.equal(replies.filter((reply) => reply.status === 503).length, 1);
            emulator.control.setClock({ advanceSeconds: 1 });
            const after = await Promise.all(Array.from({ length: 6 }, () => rest(emulator, 'user.admin')));
            assert.deepEqual(after.map((reply) => reply.status).sort(), [200, 200, 200, 200, 200, 503]);
        });
    });

    it('applies no bucket when limits are off', async () => {
        await withEmulator({ limits: 'off' }, async (emulator) => {
            const replies = await Promise.all(
                Array.from({ length: 120 }, () => rest(emulator, 'user.admin')),
            );
            assert.ok(replies.every((reply) => reply.status === 200));
        });
    });
});

describe('emulator: operating-time budget per method (docs/bitrix24.md §8)', () => {
    const costly = { operatingLimitSeconds: 480, methodCostSeconds: { 'crm.item.list': 100 } };

    it('answers 429 OPERATION_TIME_LIMIT once a method has used more than the limit, for that method only', async () => {
        await withEmulator(costly, async (emulator) => {
            for (let i = 0; i < 5; i++)
                assert.equal((await rest(emulator, 'crm.item.list', { entityTypeId: 2 })).status, 200);
            const blocked = await rest(emulator, 'crm.item.list', { entityTypeId: 2 });
            assertRestError(
                blocked,
                429,
                'OPERATION_TIME_LIMIT',
                'Method is blocked due to operation time limit.',
            );
            assert.equal((await rest(emulator, 'crm.item.get', { entityTypeId: 2, id: 1 })).status, 400);
            assert.equal(emulator.control.counters().status429, 1);
        });
    });

    it('reports time.operating and time.operating_reset_at, and unblocks after the 10-minute window', async () => {
        await withEmulator(costly, async (emulator) => {
            const first = await rest(emulator, 'crm.item.list', { entityTypeId: 2 });
            assert.equal(first.body.time.operating, 100);
            const now = emulator.control.state().clock.now;
            assert.ok(
                first.body.time.operating_reset_at >= now + 599 &&
                    first.body.time.operating_reset_at <= now + 600,
            );
            const second = await rest(emulator, 'crm.item.list', { entityTypeId: 2 });
            assert.equal(second.body.time.operating, 200);
            for (let i = 0; i < 3; i++) await rest(emulator, 'crm.item.list', { entityTypeId: 2 });
            assert.equal((await rest(emulator, 'crm.item.list', { entityTypeId: 2 })).status, 429);
            emulator.control.setClock({ advanceSeconds: 601 });
            assert.equal((await rest(emulator, 'crm.item.list', { entityTypeId: 2 })).status, 200);
        });
    });

    it("does not record a method's time in a request when it is 0.1 s or less (per source)", async () => {
        await withEmulator({ methodCostSeconds: { 'crm.item.list': 0.05 } }, async (emulator) => {
            await rest(emulator, 'crm.item.list', { entityTypeId: 2 });
            const reply = await rest(emulator, 'crm.item.list', { entityTypeId: 2 });
            assert.equal(reply.body.time.operating, 0);
        });
    });

    it('counts batch sub-calls per method, so a sub-call can fail with OPERATION_TIME_LIMIT', async () => {
        await withEmulator(costly, async (emulator) => {
            const cmd = Object.fromEntries(
                Array.from({ length: 6 }, (_, i) => [`list${i}`, 'crm.item.list?entityTypeId=2']),
            );
            const reply = await rest(emulator, 'batch', { cmd });
            assert.equal(reply.status, 200);
            assert.deepEqual(Object.keys(reply.body.result.result), [
                'list0',
                'list1',
                'list2',
                'list3',
                'list4',
            ]);
            assert.equal(reply.body.result.result_error.list5.error, 'OPERATION_TIME_LIMIT');
            assert.equal(reply.body.time.operating, 0);
        });
    });
});
