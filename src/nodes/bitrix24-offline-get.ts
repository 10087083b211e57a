import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';

import { checkLimit, checkProcessId } from '../bitrix24';
import { Ledger } from '../runtime/offline/ledger';
import { featuresFor } from '../runtime/portal/plan-features';
import {
    OfflineReader,
    type PassRequest,
    type ReadSettings,
    type ReaderActivity,
} from '../runtime/offline/reader';
import { failure } from './shared/failure';
import { reservationMessages } from './shared/offline-messages';
import { usePortal } from './shared/portal-node';
import {
    booleanProperty,
    choiceProperty,
    evaluateObjectProperty,
    filterOrNone,
    numberProperty,
    textProperty,
} from './shared/properties';
import { StatusBadge } from './shared/status';
import { userDirFile } from './shared/user-dir';

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

export = function (RED: NodeAPI): void {
    function Bitrix24OfflineGetNode(this: Node, config: GetConfig) {
        RED.nodes.createNode(this, config);
        const badge = new StatusBadge(this);
        const portal = usePortal(RED, this, config.portal, badge);
        if (!portal) return;
        const output = choiceProperty(config.output, ['batch', 'event'], 'batch');
        const settings = readSettings(
            config,
            portal.connection.connectorFor(textProperty(config.authConnector)),
        );
        const featuresNeeded = featuresFor({
            reserve: settings.mode === 'reserve',
            connector: settings.authConnector,
        });
        const t = (key: string, params?: Record<string, string | number>) =>
            RED._(`bitrix24-offline-get.status.${key}`, params);
        const reader = new OfflineReader(
            settings,
            () => portal.connection.queue(featuresNeeded),
            new Ledger(settings.mode === 'reserve' ? userDirFile(RED, `ledger-${this.id}.json`) : undefined),
            {
                emit: (reservation) => this.send([reservationMessages(reservation, output), null]),
                emptied: (summary) => this.send([null, { topic: 'empty', payload: summary }]),
                activity: (activity) => showActivity(badge, activity, t),
                warn: (err) => this.warn(failure(RED, badge, err).message),
            },
        );
        void reader.start();

        this.on('input', (msg: NodeMessageInFlow, _send, done) => {
            passRequest(RED, this, config, msg)
                .then((request) => reader.read(request))
                .then(
                    () => done(),
                    (err: unknown) => done(failure(RED, badge, err)),
                );
        });

        this.on('close', (_removed: boolean, done: () => void) => {
            const closing = reader.close();
            portal.connection.holdOpen(closing);
            closing.then(done, done);
        });
    }

    RED.nodes.registerType('bitrix24-offline-get', Bitrix24OfflineGetNode);
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
    config: GetConfig,
    msg: NodeMessageInFlow,
): Promise<PassRequest> {
    const input = msg as NodeMessageInFlow & { process_id?: unknown; limit?: unknown; filter?: unknown };
    // Present but not a string (a number, a list): refused, not taken as "read new rows".
    if (input.process_id !== undefined && input.process_id !== null && input.process_id !== '')
        return { processId: checkProcessId(input.process_id) };
    const request: PassRequest = {};
    if (input.limit !== undefined) request.limit = checkLimit(input.limit);
    const filter =
        input.filter !== undefined
            ? input.filter
            : await evaluateObjectProperty(
                  RED,
                  config.filter ?? '{}',
                  config.filterType ?? 'json',
                  node,
                  msg,
              );
    const order = await evaluateObjectProperty(
        RED,
        config.order ?? '{"TIMESTAMP_X":"ASC"}',
        config.orderType ?? 'json',
        node,
        msg,
    );
    request.filter = filterOrNone(filter);
    request.order = filterOrNone(order);
    return request;
}

function showActivity(
    badge: StatusBadge,
    activity: ReaderActivity,
    t: (key: string, params?: Record<string, string | number>) => string,
): void {
    if (activity.kind === 'reading') {
        badge.show(
            'blue',
            'dot',
            activity.read > 0
                ? t('draining', { confirmed: activity.confirmed, read: activity.read })
                : t('reading'),
        );
    } else if (activity.kind === 'waiting') {
        badge.show('yellow', 'ring', t('waiting', { open: activity.open }));
    } else if (activity.confirmed < activity.read) {
        badge.show('blue', 'ring', t('draining', { confirmed: activity.confirmed, read: activity.read }));
    } else {
        badge.show('green', 'dot', activity.read > 0 ? t('done', { events: activity.read }) : t('idle'));
    }
}
