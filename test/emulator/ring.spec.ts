/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   reply bodies are arbitrary JSON (typed `any` in helpers.ts) that these tests check field by field */
import assert from 'node:assert/strict';

import { bindOffline, rest, sleep, userDealChange, withEmulator, withSink } from './helpers';

describe('emulator: ONOFFLINEEVENT rings (docs/bitrix24.md §6)', () => {
    it('makes one POST for two rings inside minTimeout and drops the second', async () => {
        await withSink(async (sink) => {
            await withEmulator({}, async (emulator) => {
                await bindOffline(emulator, 'ONCRMDEALADD');
                await rest(emulator, 'event.bind', {
                    event: 'ONOFFLINEEVENT',
                    handler: `${sink.url}/ring`,
                    options: { minTimeout: 30 },
                });
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
    });

    it('rings again once the minTimeout window has passed on the emulator clock', async () => {
        await withSink(async (sink) => {
            await withEmulator({}, async (emulator) => {
                await bindOffline(emulator, 'ONCRMDEALADD');
                await rest(emulator, 'event.bind', {
                    event: 'ONOFFLINEEVENT',
                    handler: `${sink.url}/ring`,
                    options: { minTimeout: 30 },
                });
                userDealChange(emulator, 'add');
                emulator.control.setClock({ advanceSeconds: 31 });
                userDealChange(emulator, 'add');
                await sink.waitFor(2);
                assert.equal(sink.requests.length, 2);
            });
        });
    });

    it('posts a form with event, ts and auth[...] including application_token, domain and member_id, and no data', async () => {
        await withSink(async (sink) => {
            await withEmulator({}, async (emulator) => {
                await bindOffline(emulator, 'ONCRMDEALADD');
                await rest(emulator, 'event.bind', { event: 'ONOFFLINEEVENT', handler: `${sink.url}/ring` });
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
    });

    it('sends no tokens when the change came from a robot (user 0)', async () => {
        await withSink(async (sink) => {
            await withEmulator({}, async (emulator) => {
                await bindOffline(emulator, 'ONCRMDEALADD');
                await rest(emulator, 'event.bind', { event: 'ONOFFLINEEVENT', handler: `${sink.url}/ring` });
                emulator.control.userChange({ entity: 'deal', action: 'add', userId: 0 });
                const [ring] = await sink.waitFor(1);
                assert.deepEqual([...ring.form.keys()].filter((key) => key.startsWith('auth')).sort(), [
                    'auth[application_token]',
                    'auth[domain]',
                    'auth[member_id]',
                ]);
            });
        });
    });

    it('does not ring for a write that queued no row (echo suppressed)', async () => {
        await withSink(async (sink) => {
            await withEmulator({}, async (emulator) => {
                await bindOffline(emulator, 'ONCRMDEALADD');
                await rest(emulator, 'event.bind', { event: 'ONOFFLINEEVENT', handler: `${sink.url}/ring` });
                await rest(emulator, 'crm.deal.add', { fields: { TITLE: 'own write' } });
                await sleep(100);
                assert.equal(sink.requests.length, 0);
            });
        });
    });

    it('with minTimeout 0 rings at most once per request', async () => {
        await withSink(async (sink) => {
            await withEmulator({}, async (emulator) => {
                await bindOffline(emulator, 'ONCRMDEALADD');
                await rest(emulator, 'event.bind', {
                    event: 'ONOFFLINEEVENT',
                    handler: `${sink.url}/ring`,
                    options: { minTimeout: 0 },
                });
                await rest(emulator, 'event.bind', {
                    event: 'ONOFFLINEEVENT',
                    handler: `${sink.url}/ring2`,
                    options: { minTimeout: 0 },
                });
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
    });

    it('does not retry a ring whose handler is unreachable', async () => {
        await withEmulator({}, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALADD');
            await rest(emulator, 'event.bind', {
                event: 'ONOFFLINEEVENT',
                handler: 'http://127.0.0.1:9/ring',
            });
            userDealChange(emulator, 'add');
            await sleep(200);
            const counters = emulator.control.counters();
            assert.equal(counters.ringsSent, 1);
            assert.equal(counters.ringsFailed, 1);
        });
    });
});
