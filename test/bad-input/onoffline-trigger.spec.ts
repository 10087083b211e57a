import triggerModule from '../../dist/nodes/bitrix24-onoffline-trigger';
import { webhookPortalRow } from './rows';
import { badInputTable } from './table';

const HANDLER_URL = /handler URL such as https:\/\/nodered.example.com\/hook/;

/** The trigger has no input: what can be wrong is its configuration, seen at deploy. */
badInputTable(
    {
        type: 'bitrix24-onoffline-trigger',
        module: triggerModule,
        config: { path: '/bitrix24/onoffline', pollInterval: 0, minTimeout: 1 },
        methods: ['event.bind', 'event.get'],
    },
    ({ bench }) => [
        { what: 'a trigger without a portal', config: { portal: '' }, error: /noPortal/ },
        { what: 'a trigger whose portal is not deployed', config: { portal: 'gone' }, error: /noPortal/ },
        {
            what: 'binding the doorbell to localhost, which the portal refuses',
            config: { autoBind: true, publicUrl: 'http://localhost:1880' },
            error: HANDLER_URL,
            code: 'INVALID_ARGUMENT',
        },
        ...(
            [
                ['binding the doorbell without a public URL', ''],
                ['binding the doorbell to a public URL that is not a URL', 'my node-red'],
                ['binding the doorbell to an ftp URL', 'ftp://nodered.example.com'],
            ] as [string, string][]
        ).map(([what, publicUrl]) => ({ what, config: { autoBind: true, publicUrl }, error: HANDLER_URL })),
        webhookPortalRow(bench, 'binding the doorbell through a webhook portal', {
            config: { autoBind: true, publicUrl: 'https://nodered.example.com' },
            // Seen at deploy: no msg.
            msg: undefined,
        }),
    ],
);
