import assert from 'node:assert/strict';

import helper from 'node-red-node-test-helper';

import enrichModule from '../../dist/nodes/bitrix24-enrich';
import { until } from '../helpers/emulator-flow';
import { nextWarning } from '../helpers/node-flow';
import { dealUpdateEvent } from '../helpers/offline-event';
import { badInputTable, loadRow, type NodeUnderTest } from './table';

const NODE: NodeUnderTest = {
    type: 'bitrix24-enrich',
    module: enrichModule,
    config: {},
    methods: ['crm.item.get', 'tasks.task.get', 'crm.activity.get', 'batch'],
};
const NOT_EVENTS = /must be an offline event or a list of them/;
const EVENT = dealUpdateEvent(1);

badInputTable(
    NODE,
    () => [
        {
            what: 'a msg when no portal is configured',
            config: { portal: '' },
            msg: { payload: [EVENT] },
            error: /noPortal/,
        },
        ...(
            [
                ['a payload that is a number', 42],
                ['a payload that is text', 'ONCRMDEALUPDATE'],
                ['a payload that is null', null],
                ['a msg without payload', undefined],
                ['an object that is not an event', { ID: 1 }],
                ['an event whose EVENT_NAME is a number', { ...EVENT, EVENT_NAME: 5 }],
                ['a list with something that is not an event', [EVENT, { ID: 2 }]],
                ['a list of lists', [[EVENT]]],
            ] as [string, unknown][]
        ).map(([what, payload]) => ({ what, msg: { payload }, error: NOT_EVENTS, code: 'INVALID_ARGUMENT' })),
        {
            what: 'an enrich map that is not an object',
            msg: { payload: [EVENT], enrichMap: 'crm.deal.get' },
            error: /enrich map must be an object/,
        },
        {
            what: 'an enrich map entry that is a number',
            msg: { payload: [EVENT], enrichMap: { ONCRMDEALUPDATE: 5 } },
            error: /entry "ONCRMDEALUPDATE" must be a method name/,
        },
        {
            what: 'an enrich map entry whose method is not a method name',
            msg: { payload: [EVENT], enrichMap: { ONCRMDEALUPDATE: 'crm deal get' } },
            error: /is not a REST method name/,
        },
        {
            what: 'an enrich map entry whose params are not an object',
            msg: {
                payload: [EVENT],
                enrichMap: { ONCRMDEALUPDATE: { method: 'crm.deal.get', params: 'x' } },
            },
            error: /must be a method name or \{method, idParam\?, params\?\}/,
        },
    ],
    (context) => {
        it('passes an event it cannot read untouched, with a warning that names it, and reads nothing', async () => {
            const { bench } = context();
            const before = bench.emulator.control.counters().requests;
            const { out, errors } = await loadRow(NODE, {}, bench);
            const warned = nextWarning(helper.getNode('n1'));
            const unknown = { ...EVENT, EVENT_NAME: 'ONSOMETHINGNEW' };
            helper.getNode('n1').receive({ payload: [unknown] });
            assert.match(await warned, /unmapped/);
            await until(() => out.length === 1, 5000, 'the msg');
            assert.deepEqual(out[0].payload, [unknown]);
            assert.equal(errors.length, 0);
            assert.equal(bench.emulator.control.counters().requests, before);
        });
    },
);
