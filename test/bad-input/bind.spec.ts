import assert from 'node:assert/strict';

import helper from 'node-red-node-test-helper';

import bindModule from '../../dist/nodes/bitrix24-bind';
import { until } from '../helpers/emulator-flow';
import { badInputTable, loadRow, type NodeUnderTest } from './table';

const NODE: NodeUnderTest = {
    type: 'bitrix24-bind',
    module: bindModule,
    config: { action: 'bind', eventName: 'ONCRMDEALUPDATE', eventNameType: 'str', eventType: 'offline' },
    methods: ['event.bind', 'event.unbind', 'event.get'],
};
const EVENT_NAME = /is not an event code: use one such as ONCRMDEALUPDATE/;

badInputTable(
    NODE,
    ({ bench }) => [
        { what: 'a msg when no portal is configured', config: { portal: '' }, msg: {}, error: /noPortal/ },
        ...(['bind', 'unbind', 'list'] as const).map((action) => ({
            what: `a webhook portal (${action}), which cannot call event.*`,
            config: { action },
            portal: { node: { authType: 'webhook' }, credentials: { webhookUrl: bench.emulator.webhookUrl } },
            msg: {},
            error: /OAuth/,
            code: 'WRONG_AUTH_TYPE',
        })),
        ...(
            [
                ['an event name with a space', 'deal update'],
                ['an empty event name', ''],
                ['an event name without ON', 'CRMDEALUPDATE'],
                ['an event name with a dot', 'ONCRM.DEAL'],
            ] as [string, string][]
        ).map(([what, eventName]) => ({
            what,
            config: { eventName },
            msg: {},
            error: EVENT_NAME,
            code: 'INVALID_ARGUMENT',
        })),
        ...(
            [
                ['an event name from the msg that is missing', {}],
                ['an event name from the msg that is a number', { event: 42 }],
                ['an event name from the msg that is a list', { event: ['ONCRMDEALADD'] }],
                ['an event name from the msg that is null', { event: null }],
            ] as [string, Record<string, unknown>][]
        ).map(([what, msg]) => ({
            what,
            config: { eventName: 'event', eventNameType: 'msg' },
            msg,
            error: EVENT_NAME,
        })),
        {
            what: 'an event name from a msg path through a missing object',
            config: { eventName: 'binding.event', eventNameType: 'msg' },
            msg: {},
            error: EVENT_NAME,
        },
        {
            what: 'ONOFFLINEEVENT as an offline binding',
            config: { eventName: 'onOfflineEvent' },
            msg: {},
            error: /only be bound online/,
        },
        ...(
            [
                ['an online binding without a handler', ''],
                ['an online binding to localhost', 'http://localhost:1880/hook'],
                ['an online binding to an ftp URL', 'ftp://files.example.com/hook'],
                ['an online binding to text that is not a URL', 'my handler'],
            ] as [string, string][]
        ).map(([what, handler]) => ({
            what,
            config: { eventType: 'online', handler },
            msg: {},
            error: /handler URL such as https:\/\/nodered.example.com\/hook/,
        })),
        {
            what: 'options that are not JSON',
            config: { options: '{"minTimeout":', optionsType: 'json' },
            msg: {},
            error: /options must be an object/,
        },
        {
            what: 'options that are a JSON number',
            config: { options: '5', optionsType: 'json' },
            msg: {},
            error: /options must be an object/,
        },
        {
            what: 'options from the msg that are a list',
            config: { options: 'opts', optionsType: 'msg' },
            msg: { opts: [5] },
            error: /options must be an object/,
        },
        {
            what: 'a binding at deploy to an event name that is not one',
            config: { eventName: 'deal update', onDeploy: true },
            error: EVENT_NAME,
        },
    ],
    (context) => {
        it('answers a well-formed event name the portal does not know with ERROR_EVENT_NOT_FOUND, binding nothing', async () => {
            const { bench } = context();
            const before = bench.emulator.control.bindings();
            const { out, errors } = await loadRow(NODE, { config: { eventName: 'ONNOSUCHTHING' } }, bench);
            helper.getNode('n1').receive({});
            await until(() => errors.length === 1, 10_000, 'the error');
            assert.match((errors[0].error as { message: string }).message, /lacks the scope of that event/);
            assert.equal(out.length, 0);
            assert.deepEqual(bench.emulator.control.bindings(), before);
        });
    },
);
