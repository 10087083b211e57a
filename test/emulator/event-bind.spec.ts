/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call --
   reply bodies are arbitrary JSON (typed `any` in helpers.ts) that these tests check field by field */
import assert from 'node:assert/strict';

import { argumentError, assertRestError, itRefuses, rest, withEmulator } from './helpers';

describe('emulator: event.bind, event.unbind, event.get, events (docs/bitrix24.md §5)', () => {
    it('binds an offline handler and lists it in the offline shape of event.get', async () => {
        await withEmulator({}, async (emulator) => {
            const bind = await rest(emulator, 'event.bind', {
                event: 'onCrmDealUpdate',
                event_type: 'offline',
                handler: 'ignored',
            });
            assert.equal(bind.body.result, true);
            const list = await rest(emulator, 'event.get');
            assert.deepEqual(list.body.result, [{ event: 'ONCRMDEALUPDATE', connector_id: '', offline: 1 }]);
        });
    });

    it('binds an online handler and lists it in the online shape', async () => {
        await withEmulator({}, async (emulator) => {
            await rest(emulator, 'event.bind', { event: 'ONCRMDEALADD', handler: 'http://127.0.0.1:9/hook' });
            const list = await rest(emulator, 'event.get');
            assert.deepEqual(list.body.result, [
                { event: 'ONCRMDEALADD', handler: 'http://127.0.0.1:9/hook', auth_type: '0', offline: 0 },
            ]);
        });
    });

    it('refuses the same binding twice with ERROR_CORE "Handler already binded"', async () => {
        await withEmulator({}, async (emulator) => {
            await rest(emulator, 'event.bind', { event: 'ONCRMDEALADD', event_type: 'offline' });
            const again = await rest(emulator, 'event.bind', {
                event: 'ONCRMDEALADD',
                event_type: 'offline',
            });
            assertRestError(again, 400, 'ERROR_CORE', 'Unable to set event handler: Handler already binded');
        });
    });

    it('allows one offline handler per connector for the same event', async () => {
        await withEmulator({}, async (emulator) => {
            await rest(emulator, 'event.bind', { event: 'ONCRMDEALADD', event_type: 'offline' });
            const second = await rest(emulator, 'event.bind', {
                event: 'ONCRMDEALADD',
                event_type: 'offline',
                auth_connector: 'erp',
            });
            assert.equal(second.body.result, true);
            const list = await rest(emulator, 'event.get');
            assert.deepEqual(
                list.body.result.map((item: { connector_id: string }) => item.connector_id),
                ['', 'erp'],
            );
        });
    });

    it('accepts a handler on 127.0.0.1', async () => {
        await withEmulator({}, async (emulator) => {
            const ip = await rest(emulator, 'event.bind', {
                event: 'ONCRMDEALADD',
                handler: 'http://127.0.0.1:1880/hook',
            });
            assert.equal(ip.body.result, true);
        });
    });

    itRefuses('event.bind', [
        {
            what: 'a handler on localhost',
            params: { event: 'ONCRMDEALADD', handler: 'http://localhost:1880/hook' },
            status: 400,
            error: 'ERROR_WRONG_HANDLER_URL',
            description: 'Wrong handler URL',
        },
        {
            what: 'a handler that is not http',
            params: { event: 'ONCRMDEALADD', handler: 'ftp://files.example.com/x' },
            status: 400,
            error: 'ERROR_UNSUPPORTED_PROTOCOL',
            description: 'Unsupported handler protocol',
        },
        {
            what: 'an unknown event_type',
            params: { event: 'ONCRMDEALADD', event_type: 'sometimes' },
            ...argumentError('Value must be one of {online|offline}', 'EVENT_TYPE'),
        },
        {
            what: 'ONOFFLINEEVENT as an offline event',
            params: { event: 'ONOFFLINEEVENT', event_type: 'offline' },
            ...argumentError('Offline event cannot be registered for this event.'),
        },
    ]);

    it('requires a handler for online events and an event name', async () => {
        await withEmulator({}, async (emulator) => {
            const noHandler = await rest(emulator, 'event.bind', { event: 'ONCRMDEALADD' });
            assert.equal(noHandler.body.argument, 'HANDLER');
            const noEvent = await rest(emulator, 'event.bind', { event_type: 'offline' });
            assert.equal(noEvent.body.argument, 'EVENT');
        });
    });

    it('answers "Event not found" for an event outside the token scopes', async () => {
        await withEmulator({}, async (emulator) => {
            const crmOnly = await emulator.control.installApp({ scope: ['crm'] });
            const reply = await rest(
                emulator,
                'event.bind',
                { event: 'ONTASKADD', event_type: 'offline' },
                crmOnly.accessToken,
            );
            assertRestError(reply, 400, 'ERROR_EVENT_NOT_FOUND', 'Event not found');
        });
    });

    it('refuses offline binding to a non-administrator', async () => {
        await withEmulator({}, async (emulator) => {
            const employee = emulator.control.issueTokens({ userId: 2 });
            const reply = await rest(
                emulator,
                'event.bind',
                { event: 'ONCRMDEALADD', event_type: 'offline' },
                employee.accessToken,
            );
            assert.equal(reply.status, 403);
            assert.equal(
                reply.body.error_description,
                'Access denied! Offline events binding requires administrator access rights',
            );
        });
    });

    it('keeps only the minTimeout option of ONOFFLINEEVENT, as an integer', async () => {
        await withEmulator({}, async (emulator) => {
            await rest(emulator, 'event.bind', {
                event: 'ONOFFLINEEVENT',
                handler: 'http://127.0.0.1:9/ring',
                options: { minTimeout: '5', other: 'x' },
            });
            assert.deepEqual(emulator.control.bindings()[0].options, { minTimeout: 5 });
        });
    });

    it('unbinds with a count and requires EVENT (source over docs)', async () => {
        await withEmulator({}, async (emulator) => {
            await rest(emulator, 'event.bind', { event: 'ONCRMDEALADD', event_type: 'offline' });
            const none = await rest(emulator, 'event.unbind', {});
            assert.equal(none.body.argument, 'EVENT');
            const wrongConnector = await rest(emulator, 'event.unbind', {
                event: 'ONCRMDEALADD',
                event_type: 'offline',
                auth_connector: 'x',
            });
            assert.deepEqual(wrongConnector.body.result, { count: 0 });
            const unbound = await rest(emulator, 'event.unbind', {
                event: 'ONCRMDEALADD',
                event_type: 'offline',
            });
            assert.deepEqual(unbound.body.result, { count: 1 });
        });
    });

    it('lists the events of the token scopes plus the global scope, ONOFFLINEEVENT included', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await rest(emulator, 'events');
            assert.ok(reply.body.result.includes('ONOFFLINEEVENT'));
            assert.ok(reply.body.result.includes('ONCRMDEALUPDATE'));
            assert.ok(reply.body.result.includes('ONTASKADD'));
            assert.ok(reply.body.result.includes('ONCRMDYNAMICITEMADD_1036'));
            const crm = await rest(emulator, 'events', { SCOPE: 'crm' });
            assert.ok(!crm.body.result.includes('ONOFFLINEEVENT'));
        });
    });
});
