import getModule from '../../dist/nodes/bitrix24-offline-get';
import { badInputTable } from './table';

const json = (filter: string) => ({ filter, filterType: 'json' });

badInputTable(
    {
        type: 'bitrix24-offline-get',
        module: getModule,
        config: { mode: 'reserve', output: 'batch', drain: false, maxOpen: 1 },
        methods: ['event.offline.get'],
        outputs: 2,
    },
    ({ bench }) => [
        { what: 'a msg when no portal is configured', config: { portal: '' }, msg: {}, error: /noPortal/ },
        { what: 'a portal that is not deployed', config: { portal: 'gone' }, msg: {}, error: /noPortal/ },
        {
            what: 'a webhook portal, which cannot read offline events',
            portal: { node: { authType: 'webhook' }, credentials: { webhookUrl: bench.emulator.webhookUrl } },
            msg: {},
            error: /OAuth/,
            code: 'WRONG_AUTH_TYPE',
            methods: ['event.offline.list'],
        },
        {
            what: 'a process_id that is a number',
            msg: { process_id: 42 },
            error: /process_id/,
            code: 'INVALID_ARGUMENT',
        },
        { what: 'a process_id that is an array', msg: { process_id: ['a'.repeat(32)] }, error: /process_id/ },
        { what: 'a process_id of blanks', msg: { process_id: '   ' }, error: /process_id is needed/ },
        ...[-5, 0, 1.5, 'ten', true, [5], null].map((limit) => ({
            what: `msg.limit ${JSON.stringify(limit)}`,
            msg: { limit },
            error: /limit must be a positive whole number/,
            code: 'INVALID_ARGUMENT',
        })),
        { what: 'a configured limit of 0', config: { limit: 0 }, msg: {}, error: /positive whole number/ },
        {
            what: 'malformed filter JSON',
            config: json('{"EVENT_NAME": '),
            msg: {},
            error: /filter must be an object/,
        },
        {
            what: 'a filter that is a JSON string',
            config: json('"ONCRMDEALUPDATE"'),
            msg: {},
            error: /filter must be an object/,
        },
        {
            what: 'a filter that is a JSON array',
            config: json('[1]'),
            msg: {},
            error: /filter must be an object/,
        },
        {
            what: 'msg.filter as text',
            msg: { filter: 'EVENT_NAME=ONCRMDEALUPDATE' },
            error: /filter must be an object/,
        },
        ...['PROCESS_ID', 'TIMESTAMP_X', '>TIMESTAMP_X', '!ID', 'FOO'].map((field) => ({
            what: `a filter on ${field}, which a reserving read does not allow`,
            config: json(JSON.stringify({ [field]: '1' })),
            msg: {},
            error: /may only use the fields ID, EVENT_NAME, MESSAGE_ID/,
        })),
        {
            what: 'a filter with the % operator',
            config: json('{"%EVENT_NAME": "DEAL"}'),
            msg: {},
            error: /filters with =, >, <, >= or <= only/,
        },
        {
            what: 'a filter with a list of values',
            config: json('{"ID": [1, 2]}'),
            msg: {},
            error: /one value per filter field/,
        },
        {
            what: 'an order by a field a read cannot sort by',
            config: { order: '{"PROCESS_ID": "ASC"}', orderType: 'json' },
            msg: {},
            error: /order may sort by/,
        },
        {
            what: 'an order direction that is not ASC or DESC',
            config: { order: '{"ID": "UP"}', orderType: 'json' },
            msg: {},
            error: /order may sort by/,
        },
        {
            what: 'malformed order JSON',
            config: { order: '{"ID": ', orderType: 'json' },
            msg: {},
            error: /order must be an object/,
        },
    ],
);
