import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';

import { checkMessageIds, checkProcessId, isObject } from '../../bitrix24';
import type { RowSelection } from '../../runtime/offline/reservations';
import { Confirmer, type ConfirmKind } from '../../runtime/offline/confirmer';
import { featuresFor } from '../../runtime/portal/plan-features';
import { failure } from './failure';
import { partsOf } from './offline-messages';
import { usePortal } from './portal-node';
import { booleanProperty, evaluateProperty, numberProperty, textProperty } from './properties';
import { StatusBadge } from './status';

export interface ConfirmConfig extends NodeDef {
    portal?: string;
    processId?: string;
    processIdType?: string;
    messageIds?: string;
    messageIdsType?: string;
    authConnector?: string;
    coalesce?: boolean | string;
    coalesceMs?: number | string;
}

const TYPES: Record<ConfirmKind, string> = {
    clear: 'bitrix24-offline-clear',
    error: 'bitrix24-offline-error',
};

/**
 * The constructor of offline-clear (`kind: 'clear'`) or offline-error (`kind: 'error'`): they
 * take the same properties and differ in the call they make and where message ids come from.
 */
export function confirmNodeConstructor(RED: NodeAPI, kind: ConfirmKind) {
    return function Bitrix24ConfirmNode(this: Node, config: ConfirmConfig) {
        RED.nodes.createNode(this, config);
        const badge = new StatusBadge(this);
        const portal = usePortal(RED, this, config.portal, badge);
        if (!portal) return;
        const authConnector = portal.connection.connectorFor(textProperty(config.authConnector));
        const confirmer = new Confirmer(
            {
                kind,
                authConnector,
                coalesce: booleanProperty(config.coalesce, true),
                coalesceMs: Math.max(0, numberProperty(config.coalesceMs, 1000)),
            },
            () => portal.connection.queue(featuresFor({ connector: authConnector })),
        );
        let confirmed = 0;

        this.on('input', (msg: NodeMessageInFlow, send, done) => {
            target(RED, this, config, kind, msg)
                .then(({ processId, rows }) =>
                    confirmer.confirm(processId, rows, partsOf(msg).count).then(() => rows),
                )
                .then(
                    (rows) => {
                        confirmed += rows === 'all' ? 1 : rows.length;
                        badge.show('green', 'dot', RED._(`${TYPES[kind]}.status.done`, { count: confirmed }));
                        if (kind === 'clear')
                            (msg as NodeMessageInFlow & { cleared?: boolean }).cleared = true;
                        send(msg);
                        done();
                    },
                    (err: unknown) => done(failure(RED, badge, err)),
                );
        });

        this.on('close', (_removed: boolean, done: () => void) => {
            portal.connection.holdOpen(confirmer.close());
            done();
        });
    };
}

/**
 * The reservation and rows a msg confirms. Without message ids, clear confirms the whole
 * reservation; error takes the MESSAGE_IDs of the events in msg.payload (issue 4).
 */
async function target(
    RED: NodeAPI,
    node: Node,
    config: ConfirmConfig,
    kind: ConfirmKind,
    msg: NodeMessageInFlow,
): Promise<{ processId: string; rows: RowSelection }> {
    const processId = checkProcessId(
        await evaluateProperty(
            RED,
            config.processId ?? 'process_id',
            config.processIdType ?? 'msg',
            node,
            msg,
        ),
    );
    const ids = await evaluateProperty(
        RED,
        config.messageIds ?? 'message_id',
        config.messageIdsType ?? 'msg',
        node,
        msg,
    );
    if (ids !== undefined && ids !== null && ids !== '') return { processId, rows: checkMessageIds(ids) };
    if (kind === 'error') {
        const fromPayload = messageIdsIn(msg.payload);
        if (fromPayload.length > 0) return { processId, rows: checkMessageIds(fromPayload) };
    }
    return { processId, rows: 'all' };
}

function messageIdsIn(payload: unknown): unknown[] {
    const events = Array.isArray(payload) ? payload : [payload];
    return events
        .filter(isObject)
        .map((event) => event.MESSAGE_ID)
        .filter((id) => id !== undefined);
}
