import type { Node, NodeAPI } from 'node-red';

import { checkMessageIds, checkProcessId } from '../../bitrix24';
import { isObject } from '../../bitrix24/internal';
import { Confirmer, type ConfirmKind } from '../../runtime/offline/confirmer';
import { registryOf } from '../../runtime/offline/reservations';
import type { RowSelection } from '../../runtime/offline/reservations';
import { onInput, registerFlowNode, type FlowNodeConfig } from './flow-node';
import { passOn, type InputMessage } from './messages';
import { featuresFor } from '../../runtime/portal/plan-features';
import { partsOf } from './offline-messages';
import { portalTarget, type PortalTarget } from './portal-target';
import {
    booleanProperty,
    evaluateProperty,
    numberProperty,
    textProperty,
    typedProperty,
    type TypedProperty,
} from './properties';

interface ConfirmConfig extends FlowNodeConfig {
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

/** Where a msg's reservation and rows are read from. */
interface TargetSettings {
    kind: ConfirmKind;
    processId: TypedProperty;
    messageIds: TypedProperty;
}

/**
 * Registers offline-clear (`kind: 'clear'`) or offline-error (`kind: 'error'`): they take the
 * same properties and differ in the call they make and where message ids come from.
 */
export function registerConfirmNode(RED: NodeAPI, kind: ConfirmKind): void {
    registerFlowNode<ConfirmConfig>(RED, TYPES[kind], (node, config, setup) => {
        const { badge, portal, text } = setup;
        const settings = readSettings(config, kind);
        /** One per installation: a process_id names a reservation of one portal only. */
        const confirmers = new Map<string, Confirmer>();
        const confirmerFor = ({ connection, key }: PortalTarget): Confirmer => {
            let confirmer = confirmers.get(key ?? '');
            if (!confirmer) {
                const authConnector = connection.connectorFor(settings.authConnector);
                confirmer = new Confirmer(
                    { ...settings.confirm, authConnector },
                    () => connection.queue(featuresFor({ connector: authConnector })),
                    registryOf(key),
                );
                confirmers.set(key ?? '', confirmer);
            }
            return confirmer;
        };
        let confirmed = 0;

        onInput(node, setup, async (msg) => {
            // Which portal first: a msg without one is refused before anything else is read.
            const target = portalTarget(portal, msg);
            const { processId, rows } = await targetOf(RED, node, settings.target, msg);
            await confirmerFor(target).confirm(processId, rows, partsOf(msg).count);
            confirmed += rows === 'all' ? 1 : rows.length;
            badge.show('green', 'dot', text('done', { count: confirmed }));
            const out = passOn(msg);
            if (kind === 'clear') out.cleared = true;
            if (target.portal) out.portal = { ...target.portal };
            return out;
        });

        node.on('close', (_removed: boolean, done: () => void) => {
            const closing = Promise.all([...confirmers.values()].map((c) => c.close()));
            if (portal.app) portal.app.holdOpen(closing);
            else portal.connection.holdOpen(closing);
            done();
        });
    });
}

function readSettings(config: ConfirmConfig, kind: ConfirmKind) {
    const target: TargetSettings = {
        kind,
        processId: typedProperty(config.processId, config.processIdType, {
            value: 'process_id',
            type: 'msg',
        }),
        messageIds: typedProperty(config.messageIds, config.messageIdsType, {
            value: 'message_id',
            type: 'msg',
        }),
    };
    return {
        target,
        authConnector: textProperty(config.authConnector),
        confirm: {
            kind,
            coalesce: booleanProperty(config.coalesce, true),
            coalesceMs: Math.max(0, numberProperty(config.coalesceMs, 1000)),
        },
    };
}

/**
 * The reservation and rows a msg confirms. Without message ids, clear confirms the whole
 * reservation; error takes the MESSAGE_IDs of the events in msg.payload (issue 4).
 */
async function targetOf(
    RED: NodeAPI,
    node: Node,
    target: TargetSettings,
    msg: InputMessage,
): Promise<{ processId: string; rows: RowSelection }> {
    const processId = checkProcessId(await evaluateProperty(RED, node, target.processId, msg));
    const ids = await evaluateProperty(RED, node, target.messageIds, msg);
    if (ids !== undefined && ids !== null && ids !== '') return { processId, rows: checkMessageIds(ids) };
    if (target.kind === 'error') {
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
