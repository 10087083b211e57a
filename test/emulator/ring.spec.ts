/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   reply bodies are arbitrary JSON (typed `any` in helpers.ts) that these tests check field by field */
import assert from 'node:assert/strict';

import type { Emulator } from '../../dist/emulator';
import { bindOffline, rest, sleep, userDealChange, withEmulator, withSink, type Sink } from './helpers';

/** Binds ONCRMDEALADD offline and ONOFFLINEEVENT to `<sink>/ring`, then runs `test`. */
function withRingBound(
    ringOptions: Record<string, unknown> | undefined,
    test: (emulator: Emulator, sink: Sink) => Promise<void>,
): Promise<void> {
    return withSink((sink) =>
        withEmulator({}, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALADD');
            await bindRing(emulator, `${sink.url}/ring`, ringOptions);
            await test(emulator, sink);
        }),
    );
}

function bindRing(emulator: Emulator, handler: string, options?: Record<string, unknown>) {
    // An undefined `options` is left out of the JSON body.
    return rest(emulator, 'event.bind', { event: 'ONOFFLINEEVENT', handler, options });
}

describe('emulator: ONOFFLINEEVENT rings (docs/bitrix24.md §6)', () => {
    it('makes one POST for two rings inside minTimeout and drops the second', async () => {
        await withRingBound({ minTimeout: 30 }, async (emulator, sink) => {
            userDealChange(emulator, 'add');
            userDealChange(emulator, 'add');
            await sink.waitFor(1);
            await sleep(100);
            assert.equal(sink.requests.length, 1);
            const counters = emulator.control.counters();
            assert.equal(counters.ringsSent, 1);
            assert.equal(counters.ringsDropped, 1);
        });
    });

    it('rings again once the minTimeout window has passed on the emulator clock', async () => {
        await withRingBound({ minTimeout: 30 }, async (emulator, sink) => {
            userDealChange(emulator, 'add');
            emulator.control.setClock({ advanceSeconds: 31 });
            userDealChange(emulator, 'add');
            await sink.waitFor(2);
            assert.equal(sink.requests.length, 2);
        });
    });

    it('posts a form with event, ts and auth[...] including application_token, domain and member_id, and no data', async () => {
        await withRingBound(undefined, async (emulator, sink) => {
            userDealChange(emulator, 'add');
            const [ring] = await sink.waitFor(1);
            const form = ring.form;
            assert.equal(form.get('event'), 'ONOFFLINEEVENT');
            assert.match(form.get('ts') ?? '', /^\d+$/);
            assert.equal(form.get('auth[application_token]'), emulator.app.applicationToken);
            assert.equal(form.get('auth[domain]'), new URL(emulator.portalUrl).host);
            assert.equal(form.get('auth[member_id]'), emulator.app.memberId);
            assert.ok(form.get('auth[access_token]'));
            assert.ok(form.get('auth[refresh_token]'));
            assert.ok(![...form.keys()].some((key) => key.startsWith('data')));
            const call = await rest(emulator, 'user.admin', {}, form.get('auth[access_token]') ?? '');
            assert.equal(call.body.result, true);
        });
    });

    it('sends no tokens when the change came from a robot (user 0)', async () => {
        await withRingBound(undefined, async (emulator, sink) => {
            emulator.control.userChange({ entity: 'deal', action: 'add', userId: 0 });
            const [ring] = await sink.waitFor(1);
            assert.deepEqual([...ring.form.keys()].filter((key) => key.startsWith('auth')).sort(), [
                'auth[application_token]',
                'auth[domain]',
                'auth[member_id]',
            ]);
        });
    });

    it('does not ring for a write that queued no row (echo suppressed)', async () => {
        await withRingBound(undefined, async (emulator, sink) => {
            await rest(emulator, 'crm.deal.add', { fields: { TITLE: 'own write' } });
            await sleep(100);
            assert.equal(sink.requests.length, 0);
        });
    });

    it('with minTimeout 0 rings at most once per request', async () => {
        await withRingBound({ minTimeout: 0 }, async (emulator, sink) => {
            await bindRing(emulator, `${sink.url}/ring2`, { minTimeout: 0 });
            userDealChange(emulator, 'add');
            userDealChange(emulator, 'add');
            await sink.waitFor(2);
            await sleep(100);
            assert.deepEqual(
                sink.requests.map((request) => request.path),
                ['/ring', '/ring'],
            );
        });
    });

    it('does not retry a ring whose handler is unreachable', async () => {
        await withEmulator({}, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALADD');
            await bindRing(emulator, 'http://127.0.0.1:9/ring');
            userDealChange(emulator, 'add');
            await sleep(200);
            const counters = emulator.control.counters();
            assert.equal(counters.ringsSent, 1);
            assert.equal(counters.ringsFailed, 1);
        });
    });
});
