import listModule from '../../dist/nodes/bitrix24-offline-list';
import { badInputTable } from './table';

const json = (filter: string) => ({ filter, filterType: 'json' });

badInputTable(
    {
        type: 'bitrix24-offline-list',
        module: listModule,
        config: {},
        methods: ['event.offline.list'],
    },
    ({ bench }) => [
        { what: 'a msg when no portal is configured', config: { portal: '' }, msg: {}, error: /noPortal/ },
        {
            what: 'a webhook portal, which cannot list offline events',
            portal: { node: { authType: 'webhook' }, credentials: { webhookUrl: bench.emulator.webhookUrl } },
            msg: {},
            error: /OAuth/,
            code: 'WRONG_AUTH_TYPE',
        },
        {
            what: 'malformed filter JSON',
            config: json('{"ERROR": '),
            msg: {},
            error: /filter must be an object/,
        },
        {
            what: 'a filter that is a JSON number',
            config: json('5'),
            msg: {},
            error: /filter must be an object/,
        },
        {
            what: 'a filter from the msg that is text',
            config: { filter: 'filter', filterType: 'msg' },
            msg: { filter: 'ERROR=1' },
            error: /filter must be an object/,
        },
        {
            what: 'a filter on a field the queue does not have',
            config: json('{"ENTITY_ID": 5}'),
            msg: {},
            error: /may only use the fields ID, TIMESTAMP_X, EVENT_NAME, MESSAGE_ID, PROCESS_ID, ERROR/,
            code: 'INVALID_ARGUMENT',
        },
        {
            what: 'a filter with an operator that is not one',
            config: json('{"!ERROR": 1}'),
            msg: {},
            error: /may only use the fields/,
        },
        {
            what: 'an order by a field the queue does not have',
            config: { order: '{"DATE_CREATE": "ASC"}', orderType: 'json' },
            msg: {},
            error: /order may sort by/,
        },
        {
            what: 'an order that is a list',
            config: { order: '["ID"]', orderType: 'json' },
            msg: {},
            error: /order must be an object/,
        },
    ],
);
