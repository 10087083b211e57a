import assert from 'node:assert/strict';

import helper from 'node-red-node-test-helper';

import bindModule from '../../dist/nodes/bitrix24-bind';
import { until } from '../helpers/emulator-flow';
import { configRows, NO_PORTAL_ROW, webhookPortalRow } from './rows';
import { badInputTable, loadRow, type NodeUnderTest } from './table';

const NODE: NodeUnderTest = {
    type: 'bitrix24-bind',
    module: bindModule,
    config: { action: 'bind', eventName: 'ONCRMDEALUPDATE', eventNameType: 'str', eventType: 'offline' },
    methods: ['event.bind', 'event.unbind', 'event.get'],
};
const EVENT_NAME = /is not an event code: use one such as ONCRMDEALUPDATE/;
const HANDLER_URL = /handler URL such as https:\/\/nodered.example.com\/hook/;
const online = (handler: string) => ({ eventType: 'online', handler });
const jsonOptions = (options: string) => ({ options, optionsType: 'json' });

badInputTable(
    NODE,
    ({ bench }) => [
        NO_PORTAL_ROW,
        ...(['bind', 'unbind', 'list'] as const).map((action) =>
            webhookPortalRow(bench, `a webhook portal (${action}), which cannot call event.*`, {
                config: { action },
            }),
        ),
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
        ...configRows([
            [
                'an event name from a msg path through a missing object',
                { eventName: 'binding.event', eventNameType: 'msg' },
                EVENT_NAME,
            ],
            ['ONOFFLINEEVENT as an offline binding', { eventName: 'onOfflineEvent' }, /only be bound online/],
            ['options that are not JSON', jsonOptions('{"minTimeout":'), /options must be an object/],
            ['options that are a JSON number', jsonOptions('5'), /options must be an object/],
            ['an online binding without a handler', online(''), HANDLER_URL],
            ['an online binding to localhost', online('http://localhost:1880/hook'), HANDLER_URL],
            ['an online binding to an ftp URL', online('ftp://files.example.com/hook'), HANDLER_URL],
            ['an online binding to text that is not a URL', online('my handler'), HANDLER_URL],
        ]),
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
