/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   reply bodies are arbitrary JSON (typed `any` in helpers.ts) that these tests check field by field */
import assert from 'node:assert/strict';

import { startEmulator, timingFromEnv } from '../../dist/emulator';
import {
    bindOffline,
    hook,
    postJson,
    queueDealAdds,
    rest,
    sleep,
    userDealChange,
    withEmulator,
    withSink,
} from './helpers';

describe('emulator: the portal’s real timing (docs/bitrix24.md §15.2)', () => {
    it('writes offline rows only rowDelayMs after the answer', async () => {
        await withEmulator({ rowDelayMs: 300 }, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALADD');
            const added = await hook(emulator, 'crm.item.add', {
                entityTypeId: 2,
                fields: { title: 'Late' },
            });
            assert.equal(added.status, 200);
            assert.equal(emulator.control.queueRows().length, 0, 'no row right after the answer');
            await sleep(450);
            assert.equal(emulator.control.queueRows().length, 1, 'the row once the background step ran');
        });
    });

    it('rings ONOFFLINEEVENT only once the delayed rows are written', async () => {
        await withSink(async (sink) => {
            await withEmulator({ rowDelayMs: 300 }, async (emulator) => {
                await bindOffline(emulator, 'ONCRMDEALADD');
                await rest(emulator, 'event.bind', { event: 'ONOFFLINEEVENT', handler: `${sink.url}/ring` });
                const changedAt = Date.now();
                userDealChange(emulator, 'add');
                const [ring] = await sink.waitFor(1, 3000);
                assert.ok(ring, 'a ring');
                assert.ok(ring.at - changedAt >= 280, `rang after ${ring.at - changedAt} ms`);
                const reply = await rest(emulator, 'event.offline.get', {});
                assert.equal(reply.body.result.events.length, 1);
            });
        });
    });

    it('holds rings and online events back by ringDelayMs plus a random share of ringJitterMs', async () => {
        await withSink(async (sink) => {
            await withEmulator({ ringDelayMs: 100, ringJitterMs: 400, seed: 7 }, async (emulator) => {
                await rest(emulator, 'event.bind', { event: 'ONCRMDEALADD', handler: `${sink.url}/online` });
                const changedAt = Date.now();
                for (let i = 0; i < 6; i++) userDealChange(emulator, 'add');
                const arrived = await sink.waitFor(6, 3000);
                assert.equal(arrived.length, 6);
                const delays = arrived.map((request) => request.at - changedAt);
                assert.ok(Math.min(...delays) >= 90, `earliest after ${Math.min(...delays)} ms`);
                assert.ok(Math.max(...delays) <= 900, `latest after ${Math.max(...delays)} ms`);
                assert.ok(Math.max(...delays) - Math.min(...delays) >= 50, `spread ${delays.join(', ')} ms`);
            });
        });
    });

    it('changes the timing at run time over the control API', async () => {
        await withEmulator({}, async (emulator) => {
            const quirks = await postJson(`${emulator.portalUrl}/_emulator/`, 'quirks', { rowDelayMs: 200 });
            assert.deepEqual(quirks.body, {
                legacyPaging: false,
                rowDelayMs: 200,
                ringDelayMs: 0,
                ringJitterMs: 0,
            });
            await queueDealAdds(emulator, 1);
            assert.equal(emulator.control.queueRows().length, 0);
        });
    });

    it('refuses a negative delay over the control API and keeps the old timing', async () => {
        await withEmulator({ rowDelayMs: 5 }, async (emulator) => {
            const reply = await postJson(`${emulator.portalUrl}/_emulator/`, 'quirks', { rowDelayMs: -1 });
            assert.equal(reply.status, 400);
            assert.match(String(reply.body.error), /rowDelayMs must be a number of milliseconds, 0 or more/);
            assert.equal(emulator.control.state().quirks.rowDelayMs, 5);
        });
    });

    it('refuses to start with a negative ring jitter', async () => {
        await assert.rejects(
            startEmulator({ ringJitterMs: -5 }),
            /ringJitterMs must be a number of milliseconds, 0 or more \(got -5\)/,
        );
    });

    it('reads the timing for a whole test run from B24_EMULATOR_* environment variables', () => {
        assert.deepEqual(
            timingFromEnv({
                B24_EMULATOR_ROW_DELAY_MS: '250',
                B24_EMULATOR_RING_DELAY_MS: '',
                B24_EMULATOR_RING_JITTER_MS: '40',
            }),
            { rowDelayMs: 250, ringJitterMs: 40 },
        );
    });

    it('names the variable and the value when an environment timing is not a number', () => {
        assert.throws(
            () => timingFromEnv({ B24_EMULATOR_ROW_DELAY_MS: 'soon' }),
            /B24_EMULATOR_ROW_DELAY_MS must be a number of milliseconds, 0 or more \(got soon\)/,
        );
    });
});
