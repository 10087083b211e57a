import errorModule from '../../dist/nodes/bitrix24-offline-error';
import { confirmRows } from './confirm-rows';
import { badInputTable } from './table';

badInputTable(
    {
        type: 'bitrix24-offline-error',
        module: errorModule,
        config: { coalesce: false },
        methods: ['event.offline.error'],
        reservation: true,
    },
    (context) => [
        ...confirmRows(context, 'event.offline.error'),
        {
            what: 'events in the payload whose MESSAGE_IDs are not 32 characters',
            msg: {
                process_id: context.processId,
                payload: [{ EVENT_NAME: 'ONCRMDEALADD', MESSAGE_ID: 'abc' }],
            },
            error: /32-character MESSAGE_ID/,
        },
        {
            what: 'a reservation no get node owns, without message ids or events to name its rows',
            msg: { process_id: context.processId, payload: { done: false } },
            error: /needs the MESSAGE_IDs of the failed events/,
        },
    ],
);
