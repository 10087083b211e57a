import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import helper from 'node-red-node-test-helper';

import bindModule from '../../dist/nodes/bitrix24-bind';
import portalModule from '../../dist/nodes/bitrix24-portal';
import { FakePortal } from '../helpers/fake-portal';
import { nextError } from '../helpers/node-flow';

const CREDS = { clientId: 'local.bind', accessToken: 'at-bind-node-1' };

describe('bitrix24-bind: bad input (fake portal)', () => {
    let portal: FakePortal;
    let userDir: string;

    beforeEach(async () => {
        portal = await new FakePortal().start();
        userDir = await fs.mkdtemp(path.join(os.tmpdir(), 'b24-bind-'));
        helper.settings({ userDir });
    });

    afterEach(async () => {
        await helper.unload();
        await portal.stop();
        await fs.rm(userDir, { recursive: true, force: true });
    });

    async function load(
        bind: Record<string, unknown>,
        portalNode: Record<string, unknown> = {},
        creds: Record<string, string> = CREDS,
    ) {
        const flow = [
            {
                id: 'p1',
                type: 'bitrix24-portal',
                portalUrl: portal.url,
                authType: 'oauth',
                oauthServer: portal.url,
                ...portalNode,
            },
            { id: 'tab', type: 'tab' },
            { id: 'b1', z: 'tab', type: 'bitrix24-bind', portal: 'p1', wires: [[]], ...bind },
        ];
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
