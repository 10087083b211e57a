import type { Node, NodeAPI } from 'node-red';

import { checkLimit, checkProcessId } from '../bitrix24';
import type { JsonDocument } from '../bitrix24/internal';
import { Ledger, type LedgerFile } from '../runtime/offline/ledger';
import type { SharedDrain } from '../runtime/store/shared-drain';
import { featuresFor } from '../runtime/portal/plan-features';
import {
    OfflineReader,
    type PassRequest,
    type ReadSettings,
    type ReaderActivity,
} from '../runtime/offline/reader';
import { MemoryDocumentStore } from '../bitrix24/internal';
import type { PortalApp } from '../runtime/app/portal-app';
import { InstallationReaders } from '../runtime/offline/installation-readers';
import {
    onInput,
    registerFlowNode,
    type FlowNodeConfig,
    type FlowNodeSetup,
    type Translate,
} from './shared/flow-node';
import { installationKey, namedInstallation, portalTarget } from './shared/portal-target';
import type { InputMessage } from './shared/messages';
import { reservationMessages } from './shared/offline-messages';
import {
    booleanProperty,
    choiceProperty,
    evaluateSelection,
    numberProperty,
    queueSelection,
    textProperty,
    type QueueSelection,
    type QueueSelectionConfig,
} from './shared/properties';
import { sharedDrainOf } from './shared/shared-drain-node';
import type { StatusBadge } from './shared/status';
import { userDirDocument, userDirStore } from './shared/user-dir';

const TYPE = 'bitrix24-offline-get';

interface GetConfig extends FlowNodeConfig, QueueSelectionConfig {
    limit?: number | string;
    drain?: boolean | string;
    maxOpen?: number | string;
    redeliverAfter?: number | string;
    mode?: string;
    queue?: string;
    authConnector?: string;
    output?: string;
}

export = function (RED: NodeAPI): void {
    registerFlowNode<GetConfig>(RED, TYPE, (node, config, setup) => {
        const { badge, portal, text } = setup;
        const { read, authConnector, output, selection } = readSettings(config);
        if (portal.app) {
            startOnApp(RED, node, setup, portal.app, { read, authConnector, output, selection });
            return;
        }
        const connector = portal.connection.connectorFor(authConnector);
        const featuresNeeded = featuresFor({ reserve: read.mode === 'reserve', connector });
        // With a shared store only the lease holder reads (see SharedDrain).
        const shared: SharedDrain | undefined =
            read.mode === 'reserve'
                ? sharedDrainOf(
                      node,
                      setup,
                      () => reader,
                      () => ledger,
                  )
                : undefined;
        const ledgerDocument: JsonDocument<LedgerFile> | undefined =
            shared?.ledgers.own() ?? userDirDocument(RED, `ledger-${node.id}.json`);
        // Shared: confirmations gather for a second, so Redis sees one write per second at most.
        const ledger: Ledger = new Ledger(
            read.mode === 'reserve' ? ledgerDocument : undefined,
            shared ? 1000 : undefined,
        );
        const reader: OfflineReader = new OfflineReader(
            { ...read, authConnector: connector },
            () => portal.connection.queue(featuresNeeded),
            ledger,
            {
                gate: shared,
                emit: (reservation) => {
                    // New rows tell the trigger whether polls or rings carry delivery.
                    if (reservation.redelivery === 0 && reservation.events.length > 0)
                        portal.deliveries.rowsFound();
                    node.send([reservationMessages(reservation, output), null]);
                },
                emptied: (summary) => node.send([null, { topic: 'empty', payload: summary }]),
                activity: (activity) => showActivity(badge, activity, text),
                warn: (err) => setup.warn(err),
            },
        );
        void reader.start();
        shared?.start();

        onInput(node, setup, async (msg) => {
            if (shared && (await shared.request()) === 'woken') return undefined;
            await reader.read(await passRequest(RED, node, selection, msg));
            return undefined;
        });

        node.on('close', (_removed: boolean, done: () => void) => {
            const closing = Promise.all([shared?.close(), reader.close()]);
            portal.connection.holdOpen(closing);
            closing.then(done, done);
        });
    });
};

/**
 * Many portals (design "Many portals"): one reader per installation; a msg with msg.portal drains
 * that installation, one without drains them all in a fair rotation. Every msg carries msg.portal.
 */
function startOnApp(
    RED: NodeAPI,
    node: Node,
    setup: FlowNodeSetup,
    app: PortalApp,
    { read, authConnector, output, selection }: ReturnType<typeof readSettings>,
): void {
    const { badge, portal, text } = setup;
    const readers = new InstallationReaders({
        app,
        nodeId: node.id,
        key: (memberId) => installationKey(portal, memberId),
        read: { ...read, authConnector },
        features: (connector) => featuresFor({ reserve: read.mode === 'reserve', connector }),
        store: app.store ?? userDirStore(RED) ?? new MemoryDocumentStore(),
        coordination: portal.sharedStore?.(),
        report: {
            emit: (ref, reservation) => {
                const msgs = reservationMessages(reservation, output).map((msg) => ({
                    ...msg,
                    portal: { ...ref },
                }));
                node.send([msgs, null]);
            },
            emptied: (ref, summary) =>
                node.send([null, { topic: 'empty', payload: { ...summary }, portal: { ...ref } }]),
            activity: (activity) => showActivity(badge, activity, text),
            warn: (err, ref) => setup.warn(err, ref),
        },
    });
    void readers.start();

    onInput(node, setup, async (msg) => {
        const named = namedInstallation(app, msg);
        const request = await passRequest(RED, node, selection, msg);
        // A process_id names a reservation of one portal's queue: it needs msg.portal.
        if (request.processId !== undefined) {
            if (!named) portalTarget(portal, msg);
            else await readers.reread(named.memberId, request.processId);
            return undefined;
        }
        await readers.drain(request, named);
        return undefined;
    });

    node.on('close', (_removed: boolean, done: () => void) => {
        const closing = readers.close();
        app.holdOpen(closing);
        closing.then(done, done);
    });
}

function readSettings(config: GetConfig) {
    const read: Omit<ReadSettings, 'authConnector'> = {
        mode: choiceProperty(config.mode, ['reserve', 'delete'], 'reserve'),
        errorQueue: config.queue === 'error',
        limit: numberProperty(config.limit, 50),
        drain: booleanProperty(config.drain, true),
        maxOpen: Math.max(1, numberProperty(config.maxOpen, 4)),
        redeliverAfterMs: Math.max(0, numberProperty(config.redeliverAfter, 300)) * 1000,
    };
    return {
        read,
        /** The node's own; the portal's when blank. */
        authConnector: textProperty(config.authConnector),
        output: choiceProperty(config.output, ['batch', 'event'], 'batch'),
        selection: queueSelection(config, '{"TIMESTAMP_X":"ASC"}'),
    };
}

/** What this input asks for: `msg.process_id` re-reads; `msg.limit` and `msg.filter` override. */
async function passRequest(
    RED: NodeAPI,
    node: Node,
    selection: QueueSelection,
    msg: InputMessage,
): Promise<PassRequest> {
    // Present but not a string (a number, a list): refused, not taken as "read new rows".
    if (msg.process_id !== undefined && msg.process_id !== null && msg.process_id !== '')
        return { processId: checkProcessId(msg.process_id) };
    const request: PassRequest = {};
    if (msg.limit !== undefined) request.limit = checkLimit(msg.limit);
    const { filter, order } = await evaluateSelection(RED, node, selection, msg, msg.filter);
    request.filter = filter;
    request.order = order;
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
