import clearModule from '../../dist/nodes/bitrix24-offline-clear';
import { confirmRows } from './confirm-rows';
import { badInputTable } from './table';

badInputTable(
    {
        type: 'bitrix24-offline-clear',
        module: clearModule,
        config: { coalesce: false },
        methods: ['event.offline.clear'],
        reservation: true,
    },
    (context) => confirmRows(context, 'event.offline.clear'),
);
