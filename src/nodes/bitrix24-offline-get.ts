import type { Node, NodeAPI, NodeDef } from 'node-red';

import { checkLimit, checkProcessId } from '../bitrix24';
import { Ledger } from '../runtime/offline/ledger';
import {
    OfflineReader,
    type PassRequest,
    type ReadSettings,
    type ReaderActivity,
} from '../runtime/offline/reader';
import { onInput, setUpFlowNode, type Translate } from './shared/flow-node';
import type { InputMessage } from './shared/messages';
import { reservationMessages } from './shared/offline-messages';
import {
    booleanProperty,
    choiceProperty,
    evaluateObjectProperty,
    filterOrNone,
    numberProperty,
    textProperty,
    typedProperty,
    type TypedProperty,
} from './shared/properties';
import type { StatusBadge } from './shared/status';
import { userDirDocument } from './shared/user-dir';

const TYPE = 'bitrix24-offline-get';

interface GetConfig extends NodeDef {
    portal?: string;
    mode?: string;
    queue?: string;
    limit?: number | string;
    filter?: string;
    filterType?: string;
    order?: string;
    orderType?: string;
    authConnector?: string;
    output?: string;
    drain?: boolean | string;
    maxOpen?: number | string;
    redeliverAfter?: number | string;
}

/** What a msg may change of a read: the configured filter and order, evaluated per msg. */
interface InputSettings {
    filter: TypedProperty;
    order: TypedProperty;
}

export = function (RED: NodeAPI): void {
    function Bitrix24OfflineGetNode(this: Node, config: GetConfig) {
        RED.nodes.createNode(this, config);
        const setup = setUpFlowNode(RED, this, TYPE, config.portal);
        if (!setup) return;
        const { badge, portal, text } = setup;
        const output = choiceProperty(config.output, ['batch', 'event'], 'batch');
        const settings = readSettings(
            config,
            portal.connection.connectorFor(textProperty(config.authConnector)),
        );
        const input: InputSettings = {
            filter: typedProperty(config.filter, config.filterType, { value: '{}', type: 'json' }),
            order: typedProperty(config.order, config.orderType, {
                value: '{"TIMESTAMP_X":"ASC"}',
                type: 'json',
            }),
        };
        const reader = new OfflineReader(
            settings,
            () => portal.connection.queue(),
            new Ledger(
                settings.mode === 'reserve' ? userDirDocument(RED, `ledger-${this.id}.json`) : undefined,
            ),
            {
                emit: (reservation) => {
                    // New rows tell the trigger whether polls or rings carry delivery.
                    if (reservation.redelivery === 0 && reservation.events.length > 0)
                        portal.deliveries.rowsFound();
                    this.send([reservationMessages(reservation, output), null]);
                },
                emptied: (summary) => this.send([null, { topic: 'empty', payload: summary }]),
                activity: (activity) => showActivity(badge, activity, text),
                warn: (err) => this.warn(setup.fail(err).message),
            },
        );
        void reader.start();

        onInput(this, setup, async (msg) => {
            await reader.read(await passRequest(RED, this, input, msg));
            return undefined;
        });

        this.on('close', (_removed: boolean, done: () => void) => {
            reader.close().then(done, done);
        });
    }

    RED.nodes.registerType(TYPE, Bitrix24OfflineGetNode);
};

function readSettings(config: GetConfig, authConnector: string | undefined): ReadSettings {
    return {
        mode: choiceProperty(config.mode, ['reserve', 'delete'], 'reserve'),
        errorQueue: config.queue === 'error',
        limit: numberProperty(config.limit, 50),
        authConnector,
        drain: booleanProperty(config.drain, true),
        maxOpen: Math.max(1, numberProperty(config.maxOpen, 4)),
        redeliverAfterMs: Math.max(0, numberProperty(config.redeliverAfter, 300)) * 1000,
    };
}

/** What this input asks for: `msg.process_id` re-reads; `msg.limit` and `msg.filter` override. */
async function passRequest(
    RED: NodeAPI,
    node: Node,
    input: InputSettings,
    msg: InputMessage,
): Promise<PassRequest> {
    // Present but not a string (a number, a list): refused, not taken as "read new rows".
    if (msg.process_id !== undefined && msg.process_id !== null && msg.process_id !== '')
        return { processId: checkProcessId(msg.process_id) };
    const request: PassRequest = {};
    if (msg.limit !== undefined) request.limit = checkLimit(msg.limit);
    const filter =
        msg.filter !== undefined ? msg.filter : await evaluateObjectProperty(RED, node, input.filter, msg);
    const order = await evaluateObjectProperty(RED, node, input.order, msg);
    request.filter = filterOrNone(filter);
    request.order = filterOrNone(order);
    return request;
}

function showActivity(badge: StatusBadge, activity: ReaderActivity, text: Translate): void {
    if (activity.kind === 'reading') {
        badge.show(
            'blue',
            'dot',
            activity.read > 0
                ? text('draining', { confirmed: activity.confirmed, read: activity.read })
                : text('reading'),
        );
    } else if (activity.kind === 'waiting') {
        badge.show('yellow', 'ring', text('waiting', { open: activity.open }));
    } else if (activity.confirmed < activity.read) {
        badge.show('blue', 'ring', text('draining', { confirmed: activity.confirmed, read: activity.read }));
    } else {
        badge.show(
            'green',
            'dot',
            activity.read > 0 ? text('done', { events: activity.read }) : text('idle'),
        );
    }
}
