import assert from 'node:assert/strict';

import helper from 'node-red-node-test-helper';
import supertest from 'supertest';

import { portalNode } from '../../dist/demo/portal-node';
import type { Emulator } from '../../dist/emulator';
import bindModule from '../../dist/nodes/bitrix24-bind';
import portalModule from '../../dist/nodes/bitrix24-portal';
import { onTab, startFakePortalFlow, type FakePortalFlow } from '../helpers/fake-portal-flow';
import type { FakePortal } from '../helpers/fake-portal';
import { collect, startBench, until, type Bench } from '../helpers/emulator-flow';
import { lastStatus, nextError, nextMessage, spies } from '../helpers/node-flow';
import { captureRed } from '../helpers/red';

const CREDS = { clientId: 'local.bind', accessToken: 'at-bind-node-1' };

describe('bitrix24-bind: bad input (fake portal)', () => {
    let portal: FakePortal;
    let fake: FakePortalFlow;

    beforeEach(async () => {
        fake = await startFakePortalFlow();
        portal = fake.portal;
    });

    afterEach(() => fake.stop());

    async function load(
        bind: Record<string, unknown>,
        portalExtra: Record<string, unknown> = {},
        creds: Record<string, string> = CREDS,
    ) {
        const flow = onTab(portalNode(portal, { id: 'p1', ...portalExtra }), {
            id: 'b1',
            type: 'bitrix24-bind',
            wires: [[]],
            ...bind,
        });
        await helper.load([portalModule, bindModule], flow, { p1: creds });
        return helper.getNode('b1');
    }

    const cases: [string, Record<string, unknown>, Record<string, unknown>, RegExp][] = [
        ['an event code that is not one', { eventName: 'deal update' }, {}, /not an event code/],
        [
            'an event code from the msg that is missing',
            { eventName: 'event', eventNameType: 'msg' },
            {},
            /not an event code/,
        ],
        ['ONOFFLINEEVENT as an offline binding', { eventName: 'onOfflineEvent' }, {}, /only be bound online/],
        [
            'an online binding to localhost',
            { eventType: 'online', handler: 'http://localhost:1880/hook' },
            {},
            /handler URL/,
        ],
        [
            'options that are not JSON',
            { options: '{"minTimeout":', optionsType: 'json' },
            {},
            /options must be an object/,
        ],
        [
            'options from the msg that are not an object',
            { options: 'opts', optionsType: 'msg' },
            { opts: [5] },
            /options must be an object/,
        ],
    ];
    for (const [what, config, msg, message] of cases) {
        it(`refuses ${what}`, async () => {
            const node = await load(config);
            const failed = nextError(node);
            node.receive(msg);
            const { error, msg: failedMsg } = await failed;
            assert.match(error.message, message);
            assert.equal(error.code, 'INVALID_ARGUMENT');
            assert.ok(failedMsg);
            assert.equal(portal.requests.length, 0);
        });
    }

    it('refuses a webhook portal with WRONG_AUTH_TYPE, without a request', async () => {
        const node = await load(
            {},
            { authType: 'webhook' },
            { webhookUrl: `${portal.url}/rest/1/hooksecret555/` },
        );
        const failed = nextError(node);
        node.receive({});
        const { error } = await failed;
        assert.equal(error.code, 'WRONG_AUTH_TYPE');
        assert.match(error.message, /OAuth/);
        assert.ok(!error.message.includes('hooksecret555'));
        assert.equal(portal.requests.length, 0);
    });

    it('refuses a msg when no portal is configured', async () => {
        const flow = [
            { id: 'tab', type: 'tab' },
            { id: 'b1', z: 'tab', type: 'bitrix24-bind', wires: [[]] },
        ];
        await helper.load([portalModule, bindModule], flow);
        const node = helper.getNode('b1');
        const failed = nextError(node);
        node.receive({});
        assert.match((await failed).error.message, /noPortal|No Bitrix24 portal/);
    });
});

describe('bitrix24-bind (emulator)', function () {
    this.timeout(20_000);
    let bench: Bench;
    let emulator: Emulator;
    const red = captureRed();

    beforeEach(async () => {
        bench = await startBench({}, []);
        emulator = bench.emulator;
    });

    afterEach(() => bench.stop());

    const calls = (method: string) => emulator.control.counters().requestsByMethod[method] ?? 0;
    const handlers = () =>
        emulator.control
            .bindings(emulator.app.clientId)
            .map((b) => `${b.event}/${b.connector}`)
            .sort();

    function bindNode(id: string, extra: Record<string, unknown> = {}) {
        return {
            id,
            type: 'bitrix24-bind',
            portal: 'portal',
            action: 'bind',
            eventName: 'ONCRMDEALUPDATE',
            eventNameType: 'str',
            eventType: 'offline',
            authConnector: '',
            options: '{}',
            optionsType: 'json',
            onDeploy: false,
            wires: [['out']],
            ...extra,
        };
    }

    async function deploy(
        nodes: ReturnType<typeof bindNode>[],
        portalExtra: Record<string, unknown> = {},
        credentials: Record<string, string> = {},
    ) {
        const portal = bench.portal(portalExtra);
        await helper.load(
            [portalModule, bindModule, red.module],
            [
                portal.node,
                { id: 'tab', type: 'tab' },
                ...nodes.map((n) => ({ z: 'tab', ...n })),
                { id: 'out', z: 'tab', type: 'helper' },
            ],
            { portal: { ...portal.credentials, ...credentials } },
        );
    }

    /** Until each node's badge says its binding is in place. */
    async function settled(ids: string[]) {
        const bound = (id: string) =>
            /status\.(bound|already)$/.test(lastStatus(helper.getNode(id)).text ?? '');
        await until(() => ids.every(bound), 5000, 'the bindings');
    }

    it('keeps exactly one binding per event and connector over three deploys, and an unbind removes it', async () => {
        const flow = [
            bindNode('b1', { onDeploy: true }),
            bindNode('b2', { onDeploy: true, authConnector: 'shop' }),
            bindNode('b3', { onDeploy: true, eventName: 'ONCRMDEALADD' }),
        ];
        for (let deployment = 1; deployment <= 3; deployment++) {
            await deploy(flow, { authConnector: 'erp' });
            await settled(['b1', 'b2', 'b3']);
            await helper.unload();
        }
        assert.deepEqual(handlers(), ['ONCRMDEALADD/erp', 'ONCRMDEALUPDATE/erp', 'ONCRMDEALUPDATE/shop']);
        assert.equal(calls('event.bind'), 3, 'bound at the first deploy only');
        assert.equal(calls('event.get'), 9, 'one event.get per node and deploy');

        await deploy([bindNode('u1', { action: 'unbind' })], { authConnector: 'erp' });
        const received = nextMessage(helper.getNode('out'));
        helper.getNode('u1').receive({});
        assert.deepEqual((await received).payload, {
            event: 'ONCRMDEALUPDATE',
            eventType: 'offline',
            connector: 'erp',
            bound: false,
            removed: 1,
        });
        assert.deepEqual(handlers(), ['ONCRMDEALADD/erp', 'ONCRMDEALUPDATE/shop']);
    });

    it('answers a second bind with already: true, and lists the handlers', async () => {
        await deploy([
            bindNode('b1', { eventName: 'event', eventNameType: 'msg' }),
            bindNode('l1', { action: 'list' }),
        ]);
        const outputs = collect('out');
        helper.getNode('b1').receive({ event: 'onCrmDealUpdate' });
        await until(() => outputs.length === 1);
        helper.getNode('b1').receive({ event: 'ONCRMDEALUPDATE' });
        await until(() => outputs.length === 2);
        helper.getNode('l1').receive({});
        await until(() => outputs.length === 3);
        assert.deepEqual(
            outputs.map((m) => m.payload),
            [
                {
                    event: 'ONCRMDEALUPDATE',
                    eventType: 'offline',
                    connector: '',
                    bound: true,
                    already: false,
                },
                { event: 'ONCRMDEALUPDATE', eventType: 'offline', connector: '', bound: true, already: true },
                [{ event: 'ONCRMDEALUPDATE', connector_id: '', offline: 1 }],
            ],
        );
        assert.deepEqual(handlers(), ['ONCRMDEALUPDATE/']);
    });

    describe('errors users meet, with a message they can act on', () => {
        async function bindError(): Promise<Error & { code?: string }> {
            const failed = nextError(helper.getNode('b1'));
            helper.getNode('b1').receive({});
            return (await failed).error;
        }

        it('ACCESS_DENIED: a token of a user who is not an administrator', async () => {
            const user = emulator.control.issueTokens({ userId: 2 });
            await deploy(
                [bindNode('b1')],
                {},
                { accessToken: user.accessToken, refreshToken: user.refreshToken },
            );
            const error = await bindError();
            assert.equal(error.code, 'ACCESS_DENIED');
            assert.match(error.message, /administrator/);
        });

        it('WRONG_LICENSE: a connector on a plan without rest_auth_connector', async () => {
            emulator.control.setFeatures({ rest_auth_connector: false });
            await deploy([bindNode('b1')], { authConnector: 'erp' });
            const error = await bindError();
            assert.equal(error.code, 'WRONG_LICENSE');
            assert.match(error.message, /rest_auth_connector/);
        });

        it('ERROR_EVENT_NOT_FOUND: an event outside the application scope', async () => {
            const app = await emulator.control.installApp({ scope: ['crm'] });
            await deploy(
                [bindNode('b1', { eventName: 'ONTASKADD' })],
                {},
                {
                    clientId: app.clientId,
                    clientSecret: app.clientSecret,
                    accessToken: app.accessToken,
                    refreshToken: app.refreshToken,
                },
            );
            const error = await bindError();
            assert.equal(error.code, 'ERROR_EVENT_NOT_FOUND');
            assert.match(error.message, /scope/);
        });

        it('reports a failed binding at deploy to Catch nodes and the badge', async () => {
            emulator.control.setFeatures({ rest_auth_connector: false });
            await deploy([bindNode('b1', { onDeploy: true })], { authConnector: 'erp' });
            const node = helper.getNode('b1');
            const errors = spies(node).error;
            await until(() => errors.called, 5000, 'the error');
            const [error, msg] = errors.lastCall.args as [Error, unknown];
            assert.match(error.message, /rest_auth_connector/);
            assert.ok(msg, 'with a msg, for Catch nodes');
            assert.equal(lastStatus(node).fill, 'red');
        });
    });

    it('binds again after a reinstall once the installation callback brings new tokens', async () => {
        await deploy([bindNode('b1', { onDeploy: true })]);
        await settled(['b1']);
        // A reinstall deletes the app's handlers (docs/bitrix24.md §5); the portal then calls back.
        emulator.control.uninstallApp(emulator.app.clientId);
        emulator.control.setAppState(emulator.app.clientId, { installed: true });
        assert.deepEqual(handlers(), []);
        const tokens = emulator.control.issueTokens({});
        await supertest(red.red.httpNode)
            .post('/bitrix24/install/portal')
            .type('form')
            .send({
                event: 'ONAPPINSTALL',
                'auth[access_token]': tokens.accessToken,
                'auth[refresh_token]': tokens.refreshToken,
                'auth[application_token]': emulator.app.applicationToken,
                'auth[client_endpoint]': `${emulator.portalUrl}/rest/`,
                'auth[member_id]': emulator.app.memberId,
            })
            .expect(200);
        await until(() => handlers().length === 1, 5000, 'the binding again');
        assert.deepEqual(handlers(), ['ONCRMDEALUPDATE/']);
    });
});
