import listModule from '../../dist/nodes/bitrix24-offline-list';
import { configRows, NO_PORTAL_ROW, webhookPortalRow } from './rows';
import { badInputTable } from './table';

const json = (filter: string) => ({ filter, filterType: 'json' });
const jsonOrder = (order: string) => ({ order, orderType: 'json' });

badInputTable(
    {
        type: 'bitrix24-offline-list',
        module: listModule,
        config: {},
        methods: ['event.offline.list'],
    },
    ({ bench }) => [
        NO_PORTAL_ROW,
        webhookPortalRow(bench, 'a webhook portal, which cannot list offline events'),
        ...configRows([
            ['malformed filter JSON', json('{"ERROR": '), /filter must be an object/],
            ['a filter that is a JSON number', json('5'), /filter must be an object/],
            ['a filter with an operator that is not one', json('{"!ERROR": 1}'), /may only use the fields/],
            [
                'an order by a field the queue does not have',
                jsonOrder('{"DATE_CREATE": "ASC"}'),
                /order may sort by/,
            ],
            ['an order that is a list', jsonOrder('["ID"]'), /order must be an object/],
        ]),
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
    ],
);
