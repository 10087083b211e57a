import getModule from '../../dist/nodes/bitrix24-offline-get';
import { configRows, NO_PORTAL_ROW, webhookPortalRow } from './rows';
import { badInputTable } from './table';

const json = (filter: string) => ({ filter, filterType: 'json' });
const jsonOrder = (order: string) => ({ order, orderType: 'json' });

badInputTable(
    {
        type: 'bitrix24-offline-get',
        module: getModule,
        config: { mode: 'reserve', output: 'batch', drain: false, maxOpen: 1 },
        methods: ['event.offline.get'],
        outputs: 2,
    },
    ({ bench }) => [
        NO_PORTAL_ROW,
        { what: 'a portal that is not deployed', config: { portal: 'gone' }, msg: {}, error: /noPortal/ },
        webhookPortalRow(bench, 'a webhook portal, which cannot read offline events', {
            methods: ['event.offline.list'],
        }),
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
        ...configRows([
            ['a configured limit of 0', { limit: 0 }, /positive whole number/],
            ['malformed filter JSON', json('{"EVENT_NAME": '), /filter must be an object/],
            ['a filter that is a JSON string', json('"ONCRMDEALUPDATE"'), /filter must be an object/],
            ['a filter that is a JSON array', json('[1]'), /filter must be an object/],
            [
                'a filter with the % operator',
                json('{"%EVENT_NAME": "DEAL"}'),
                /filters with =, >, <, >= or <= only/,
            ],
            ['a filter with a list of values', json('{"ID": [1, 2]}'), /one value per filter field/],
            [
                'an order by a field a read cannot sort by',
                jsonOrder('{"PROCESS_ID": "ASC"}'),
                /order may sort by/,
            ],
            ['an order direction that is not ASC or DESC', jsonOrder('{"ID": "UP"}'), /order may sort by/],
            ['malformed order JSON', jsonOrder('{"ID": '), /order must be an object/],
        ]),
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
    ],
);
