import callModule from '../../dist/nodes/bitrix24-call';
import { badInputTable } from './table';

const METHOD_NAME = /is not a REST method name \(like crm\.deal\.get\)/;
const PARAMS = /must be an object/;

badInputTable(
    {
        type: 'bitrix24-call',
        module: callModule,
        config: { method: 'crm.deal.update' },
        methods: ['crm.deal.update', 'crm.deal.get', 'event.offline.get', 'batch'],
    },
    ({ bench }) => [
        {
            what: 'a msg when no portal is configured',
            config: { portal: '' },
            msg: { payload: { id: 1 } },
            error: /noPortal/,
        },
        {
            what: 'an event.* method through a webhook portal',
            config: { method: 'event.offline.get' },
            portal: { node: { authType: 'webhook' }, credentials: { webhookUrl: bench.emulator.webhookUrl } },
            msg: { payload: { clear: 0 } },
            error: /OAuth/,
            code: 'WRONG_AUTH_TYPE',
        },
        {
            what: 'a batch holding an event.* method through a webhook portal',
            config: { method: '' },
            portal: { node: { authType: 'webhook' }, credentials: { webhookUrl: bench.emulator.webhookUrl } },
            msg: {
                payload: [{ method: 'crm.deal.get', params: { id: 1 } }, { method: 'event.offline.get' }],
            },
            error: /OAuth/,
            code: 'WRONG_AUTH_TYPE',
        },
        {
            what: 'no method',
            config: { method: '' },
            msg: { payload: { id: 1 } },
            error: /no method/,
            code: 'INVALID_ARGUMENT',
        },
        ...[
            'crm deal update',
            'crm.deal.update?id=1',
            '../../rest/crm.deal.get',
            'crm..deal',
            '.crm.deal',
            'crm.deal/get',
        ].map((method) => ({
            what: `the method ${JSON.stringify(method)}`,
            config: { method },
            msg: { payload: {} },
            error: METHOD_NAME,
        })),
        {
            what: 'a method from the msg that is a number',
            config: { method: 'method', methodType: 'msg' },
            msg: { method: 42, payload: {} },
            error: /"42" is not a REST method name/,
        },
        {
            what: 'a method from a msg path through a missing object',
            config: { method: 'rest.method', methodType: 'msg' },
            msg: { payload: {} },
            error: /no method/,
        },
        ...(
            [
                ['params that are a number', 42],
                ['params that are text', 'id=1'],
                ['params that are true', true],
            ] as [string, unknown][]
        ).map(([what, payload]) => ({ what, msg: { payload }, error: PARAMS, code: 'INVALID_ARGUMENT' })),
        {
            what: 'params that are not JSON',
            config: { params: '{"id": ', paramsType: 'json' },
            msg: {},
            error: PARAMS,
        },
        {
            what: 'a batch item that is not an object',
            msg: { payload: [{ method: 'crm.deal.get', params: { id: 1 } }, 'crm.deal.get'] },
            error: /command 2 must be an object/,
        },
        {
            what: 'a batch item without a method, in a node without one',
            config: { method: '' },
            msg: { payload: [{ method: 'crm.deal.get', params: { id: 1 } }, { params: { id: 2 } }] },
            error: /command 2 has no method/,
        },
        {
            what: 'a batch item whose method is a number',
            msg: { payload: [{ method: 5, params: { id: 2 } }] },
            error: /"5" is not a REST method name/,
        },
        {
            what: 'a batch item whose method is not a method name',
            msg: { payload: [{ method: 'crm deal get', params: { id: 2 } }] },
            error: METHOD_NAME,
        },
        {
            what: 'a batch item whose params are text',
            msg: { payload: [{ method: 'crm.deal.get', params: 'id=1' }] },
            error: PARAMS,
        },
        {
            what: 'batch inside a batch',
            msg: { payload: [{ method: 'batch', params: { cmd: {} } }] },
            error: /cannot run inside a batch/,
        },
        {
            what: 'two batch items with the same key',
            msg: {
                payload: [
                    { method: 'crm.deal.get', params: { id: 1 }, key: 'a' },
                    { method: 'crm.deal.get', params: { id: 2 }, key: 'a' },
                ],
            },
            error: /its own key/,
        },
    ],
);
