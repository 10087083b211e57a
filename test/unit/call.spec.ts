import assert from 'node:assert/strict';

import { Bitrix24Client, type Bitrix24Error } from '../../dist/bitrix24';
import { checkMethod, toCommands } from '../../dist/runtime/call/commands';
import { RestCaller } from '../../dist/runtime/call/rest-caller';
import { fail, FakePortal, ok } from '../helpers/fake-portal';

describe('call runtime', () => {
    describe('commands', () => {
        it('turns {method, params, key} items into batch commands, in order', () => {
            assert.deepEqual(
                toCommands(
                    [
                        { method: 'crm.deal.get', params: { id: 1 } },
                        { method: 'CRM.Deal.List', key: 'list' },
                    ],
                    undefined,
                ),
                [
                    { method: 'crm.deal.get', params: { id: 1 } },
                    { method: 'crm.deal.list', params: {}, key: 'list' },
                ],
            );
        });

        it("gives items without a method the node's method", () => {
            assert.equal(toCommands([{ params: { id: 1 } }], 'crm.deal.update')[0].method, 'crm.deal.update');
        });

        it('refuses an item without a method, or one that is not an object', () => {
            assert.throws(
                () => toCommands([{ method: 'crm.deal.get' }, { params: { id: 2 } }], undefined),
                (err: Bitrix24Error) => err.reason === 'command-method' && err.params?.index === '2',
            );
            assert.throws(
                () => toCommands(['crm.deal.get'], undefined),
                (err: Bitrix24Error) => err.reason === 'command-not-object',
            );
        });

        it('refuses an empty method and a malformed one', () => {
            for (const method of [undefined, '', '  ']) {
                assert.throws(
                    () => checkMethod(method),
                    (err: Bitrix24Error) => err.reason === 'method-empty',
                );
            }
            assert.throws(
                () => checkMethod('crm deal'),
                (err: Bitrix24Error) => err.reason === 'method-name',
            );
        });
    });

    describe('RestCaller', () => {
        let portal: FakePortal;
        const clients: Bitrix24Client[] = [];

        beforeEach(async () => {
            portal = await new FakePortal().start();
            portal.withBatch();
            portal.on('crm.deal.update', (req) =>
                Number(req.body.id) === 13 ? fail(400, 'NOT_FOUND', 'Not found') : ok(true),
            );
            portal.on('crm.deal.get', (req) => ok({ ID: String(req.body.id) }));
        });

        afterEach(async () => {
            await Promise.all(clients.splice(0).map((client) => client.close()));
            await portal.stop();
        });

        function oauth(): Bitrix24Client {
            const client = new Bitrix24Client({
                portalUrl: portal.url,
                auth: { type: 'oauth', tokens: { accessToken: 'at-call-unit-5678' } },
                rateLimit: { burst: 50, rps: 100 },
                mergeCalls: false,
            });
            clients.push(client);
            return client;
        }

        it('adds the connector to writes only in auto mode', async () => {
            const caller = new RestCaller(oauth(), 'erp', 'auto');
            await caller.call('crm.deal.update', { id: 1, fields: { TITLE: 'x' } });
            await caller.call('crm.deal.get', { id: 1 });
            assert.equal(portal.calls('crm.deal.update')[0].body.auth_connector, 'erp');
            assert.equal(portal.calls('crm.deal.get')[0].body.auth_connector, undefined);
        });

        it('knows always, never and a portal without a connector', () => {
            const client = oauth();
            assert.equal(new RestCaller(client, 'erp', 'always').connectorFor(['crm.deal.get']), 'erp');
            assert.equal(new RestCaller(client, 'erp', 'never').connectorFor(['crm.deal.add']), undefined);
            assert.equal(new RestCaller(client, '', 'always').connectorFor(['crm.deal.add']), undefined);
            assert.equal(
                new RestCaller(client, 'erp', 'auto').connectorFor(['crm.deal.get', 'crm.deal.add']),
                'erp',
            );
            assert.equal(new RestCaller(client, 'erp', 'auto').connectorFor(['event.offline.get']), 'erp');
        });

        it('never sends a connector through a webhook (webhooks ignore it)', () => {
            const hook = new Bitrix24Client({
                portalUrl: portal.url,
                auth: { type: 'webhook', webhookUrl: `${portal.url}/rest/1/whsecret123456/` },
            });
            clients.push(hook);
            assert.equal(new RestCaller(hook, 'erp', 'always').connectorFor(['crm.deal.add']), undefined);
        });

        it('runs 120 commands as 3 batch requests, in order, a failing one not failing the others', async () => {
            const commands = Array.from({ length: 120 }, (_, i) => ({
                method: 'crm.deal.update',
                params: { id: i + 1, fields: { TITLE: `deal ${i + 1}` } },
            }));
            const results = await new RestCaller(oauth(), 'erp', 'auto').batch(commands);
            assert.equal(portal.calls('batch').length, 3);
            assert.equal(results.length, 120);
            assert.deepEqual(results[0], { method: 'crm.deal.update', result: true });
            assert.equal(results[12].error?.code, 'NOT_FOUND');
            assert.equal(results.filter((r) => r.error).length, 1);
            assert.ok(portal.calls('batch').every((r) => r.body.auth_connector === 'erp'));
        });

        it('sends nothing for an empty list', async () => {
            assert.deepEqual(await new RestCaller(oauth(), '', 'auto').batch([]), []);
            assert.equal(portal.requests.length, 0);
        });
    });
});
