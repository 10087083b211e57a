import assert from 'node:assert/strict';

import type { Bitrix24Error } from '../../dist/bitrix24';
import { Bitrix24Client } from '../../dist/bitrix24';
import { bindingSpec } from '../../dist/runtime/bind/binding-spec';
import { EventBindings } from '../../dist/runtime/bind/event-bindings';
import type { FakePortal } from '../helpers/fake-portal';
import { fail, ok } from '../helpers/fake-portal';
import { useFakePortals } from '../helpers/use-fake-portals';

interface Row {
    event: string;
    handler: string;
    connector: string;
}

/** event.bind / unbind / get over an in-memory table with the portal's unique key (docs/bitrix24.md §5). */
function bindingTable(portal: FakePortal): Row[] {
    const rows: Row[] = [];
    const key = (body: Record<string, unknown>): Row => ({
        event: String(body.event).toUpperCase(),
        handler: body.event_type === 'online' ? String(body.handler) : '',
        connector: typeof body.auth_connector === 'string' ? body.auth_connector : '',
    });
    const same = (a: Row, b: Row) =>
        a.event === b.event && a.handler === b.handler && a.connector === b.connector;
    portal.on('event.bind', (req) => {
        const row = key(req.body);
        if (rows.some((r) => same(r, row)))
            return fail(400, 'ERROR_CORE', 'Unable to set event handler: Handler already binded');
        rows.push(row);
        return ok(true);
    });
    portal.on('event.unbind', (req) => {
        const row = key(req.body);
        const before = rows.length;
        rows.splice(0, rows.length, ...rows.filter((r) => !same(r, row)));
        return ok({ count: before - rows.length });
    });
    portal.on('event.get', () =>
        ok(
            rows.map((r) =>
                r.handler
                    ? { event: r.event, handler: r.handler, auth_type: '0', offline: 0 }
                    : { event: r.event, connector_id: r.connector, offline: 1 },
            ),
        ),
    );
    return rows;
}

describe('bind runtime', () => {
    describe('bindingSpec', () => {
        it('upper-cases the event code and keeps the connector and options', () => {
            const spec = bindingSpec({
                event: ' onCrmDealUpdate ',
                eventType: 'offline',
                connector: 'erp',
                options: { x: 1 },
            });
            assert.deepEqual(spec, {
                event: 'ONCRMDEALUPDATE',
                eventType: 'offline',
                handler: '',
                connector: 'erp',
                options: { x: 1 },
            });
        });

        for (const event of ['', 'deal update', 'CRMDEALUPDATE', 42, undefined, 'ON']) {
            it(`refuses ${JSON.stringify(event)} as an event code`, () => {
                assert.throws(
                    () => bindingSpec({ event, eventType: 'offline' }),
                    (err: Bitrix24Error) => err.code === 'INVALID_ARGUMENT' && err.reason === 'event-name',
                );
            });
        }

        it('refuses ONOFFLINEEVENT as an offline binding', () => {
            assert.throws(
                () => bindingSpec({ event: 'ONOFFLINEEVENT', eventType: 'offline' }),
                (err: Bitrix24Error) => err.reason === 'doorbell-offline',
            );
        });

        it('needs an http(s) handler with a dotted host for online bindings', () => {
            for (const handler of ['', 'ftp://x.example/h', 'http://localhost:1880/h', 'not a url']) {
                assert.throws(
                    () => bindingSpec({ event: 'ONCRMDEALADD', eventType: 'online', handler }),
                    (err: Bitrix24Error) => err.reason === 'handler-url',
                );
            }
            const spec = bindingSpec({
                event: 'ONCRMDEALADD',
                eventType: 'online',
                handler: 'https://a.example/h',
            });
            assert.equal(spec.handler, 'https://a.example/h');
        });

        it('refuses options that are not an object', () => {
            for (const options of ['{"minTimeout":', [1], 5]) {
                assert.throws(
                    () => bindingSpec({ event: 'ONCRMDEALADD', eventType: 'offline', options }),
                    (err: Bitrix24Error) => err.reason === 'options-not-object',
                );
            }
        });
    });

    describe('EventBindings', () => {
        const { connect, portal } = useFakePortals('portal');
        let client: Bitrix24Client;
        let rows: Row[];

        beforeEach(() => {
            rows = bindingTable(portal());
            client = connect(
                portal(),
                { type: 'oauth', tokens: { accessToken: 'at-bind-unit-1234' } },
                { mergeCalls: false },
            );
        });

        const deal = (connector = '') =>
            bindingSpec({ event: 'ONCRMDEALUPDATE', eventType: 'offline', connector });

        it('binds, and binding again is a success that says it was already bound', async () => {
            const bindings = new EventBindings(client);
            assert.deepEqual(await bindings.bind(deal()), {
                event: 'ONCRMDEALUPDATE',
                eventType: 'offline',
                connector: '',
                bound: true,
                already: false,
            });
            assert.equal((await bindings.bind(deal())).already, true);
            assert.equal(rows.length, 1);
            const sent = portal().calls('event.bind')[0].body;
            assert.equal(sent.event_type, 'offline');
            assert.equal(sent.handler, undefined);
        });

        it('sends the connector as auth_connector and tells connectors apart', async () => {
            const bindings = new EventBindings(client);
            await bindings.bind(deal('erp'));
            await bindings.bind(deal());
            assert.deepEqual(
                rows.map((r) => r.connector),
                ['erp', ''],
            );
            assert.equal(portal().calls('event.bind')[0].body.auth_connector, 'erp');
        });

        it('ensure reads event.get and binds only what is missing', async () => {
            const bindings = new EventBindings(client);
            assert.equal((await bindings.ensure(deal('erp'))).already, false);
            assert.equal((await bindings.ensure(deal('erp'))).already, true);
            assert.equal((await bindings.ensure(deal())).already, false);
            assert.equal(portal().calls('event.get').length, 3);
            assert.equal(portal().calls('event.bind').length, 2);
            assert.equal(rows.length, 2);
        });

        it('ensure finds an online binding by its handler URL', async () => {
            const bindings = new EventBindings(client);
            const spec = bindingSpec({
                event: 'ONOFFLINEEVENT',
                eventType: 'online',
                handler: 'https://nr.example/bitrix24/onoffline',
                options: { minTimeout: 5 },
            });
            await bindings.ensure(spec);
            assert.deepEqual(portal().calls('event.bind')[0].body.options, { minTimeout: 5 });
            assert.equal((await bindings.ensure(spec)).already, true);
            assert.equal(portal().calls('event.bind').length, 1);
        });

        it('unbinds and reports how many handlers went', async () => {
            const bindings = new EventBindings(client);
            await bindings.bind(deal());
            assert.equal((await bindings.unbind(deal())).removed, 1);
            assert.equal((await bindings.unbind(deal())).removed, 0);
            assert.equal(rows.length, 0);
        });

        it('lists the handlers as event.get gives them', async () => {
            const bindings = new EventBindings(client);
            await bindings.bind(deal('erp'));
            assert.deepEqual(await bindings.list(), [
                { event: 'ONCRMDEALUPDATE', connector_id: 'erp', offline: 1 },
            ]);
        });

        it('passes the portal errors on with their codes', async () => {
            portal().on('event.bind', () =>
                fail(
                    403,
                    'ACCESS_DENIED',
                    'Access denied! Offline events binding requires administrator access rights',
                ),
            );
            await assert.rejects(new EventBindings(client).bind(deal()), (err: Bitrix24Error) => {
                assert.equal(err.code, 'ACCESS_DENIED');
                return true;
            });
        });

        it('refuses a webhook portal with WRONG_AUTH_TYPE without a request', async () => {
            const hook = new Bitrix24Client({
                portalUrl: portal().url,
                auth: { type: 'webhook', webhookUrl: `${portal().url}/rest/1/whsecret123456/` },
            });
            try {
                await assert.rejects(new EventBindings(hook).ensure(deal()), { code: 'WRONG_AUTH_TYPE' });
                assert.equal(portal().requests.length, 0);
            } finally {
                await hook.close();
            }
        });
    });
});
