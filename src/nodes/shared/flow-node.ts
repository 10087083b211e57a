import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';

import type { PortalRef } from '../../runtime/app/portal-app';
import { failure } from './failure';
import type { InputMessage } from './messages';
import { usePortal, type PortalNode } from './portal-node';
import { StatusBadge } from './status';

/** A translated text of a catalog key, with its parameters. */
export type Translate = (key: string, params?: Record<string, string | number>) => string;

/** The config every flow node has beside its own properties. */
export interface FlowNodeConfig extends NodeDef {
    portal?: string;
}

/** What every flow node starts with. */
export interface FlowNodeSetup {
    badge: StatusBadge;
    portal: PortalNode;
    /**
     * The node's status texts, `<type>.status.<key>`: the key itself without parameters (the
     * editor translates it), translated here with them (see sharedStatus).
     */
    text: Translate;
    /** A failure shown on the badge and translated, the node's catalog first. */
    fail(err: unknown): Error & { code?: string };
    /**
     * A failure outside any input (a background read): on the badge, and logged as a warning
     * unless it is the portal's own configuration error, which the portal node reports once.
     * With many portals, the installation it concerns leads the log line.
     */
    warn(err: unknown, installation?: PortalRef): void;
}

/**
 * The start of every flow node: its badge, its portal (registered as a user of it) and its
 * translator. Undefined without a portal: the node then answers every msg with that error.
 */
function setUpFlowNode(RED: NodeAPI, node: Node, type: string, portalId: unknown): FlowNodeSetup | undefined {
    const badge = new StatusBadge(node);
    const portal = usePortal(RED, node, portalId, badge);
    if (!portal) return undefined;
    return {
        badge,
        portal,
        text: (key, params) => (params ? RED._(`${type}.status.${key}`, params) : `${type}.status.${key}`),
        fail: (err) => failure(RED, badge, err, type),
        warn: (err, installation) => {
            const error = failure(RED, badge, err, type);
            if (installation) node.warn(`${installation.domain || installation.memberId}: ${error.message}`);
            else if (portal.app || portal.connection.state !== 'failed') node.warn(error.message);
        },
    };
}

/**
 * Registers a flow node type whose instances all start the same way: the runtime's createNode,
 * then setUpFlowNode. `start` runs only with a portal.
 */
export function registerFlowNode<C extends FlowNodeConfig>(
    RED: NodeAPI,
    type: string,
    start: (node: Node, config: C, setup: FlowNodeSetup) => void,
): void {
    RED.nodes.registerType(type, function (this: Node, config: C) {
        RED.nodes.createNode(this, config);
        const setup = setUpFlowNode(RED, this, type, config.portal);
        if (setup) start(this, config, setup);
    });
}

/**
 * The node's one input handler: `handle` resolves with what to send (nothing: send nothing),
 * and every path ends in `done`, a failure as `done(err)` so that Catch nodes see it
 * (docs/node-red.md §2.2).
 */
export function onInput(
    node: Node,
    setup: FlowNodeSetup,
    handle: (msg: InputMessage) => Promise<NodeMessage | undefined>,
): void {
    node.on('input', (msg, send, done) => {
        handle(msg).then(
            (out) => {
                if (out) send(out);
                done();
            },
            (err: unknown) => done(setup.fail(err)),
        );
    });
}
