import type { Node, NodeAPI } from 'node-red';

import type { ThrottleEvent } from '../../bitrix24';
import type { PortalApp, PortalRef } from '../../runtime/app/portal-app';
import type { PortalConnection } from '../../runtime/portal/portal-connection';
import type { PortalCredentials } from '../../runtime/portal/portal-settings';
import type { Coordination } from '../../runtime/store/coordination';
import type { DeliveryWatch } from '../../runtime/trigger/delivery-watch';
import { sharedStatus, sharedText } from './i18n';
import type { StatusBadge } from './status';

/** How long a flow node's badge says that its portal moved. */
const MOVED_MS = 60_000;

/** The `bitrix24-portal` config node as flow nodes see it (the core MQTT broker pattern). */
export interface PortalNode extends Node<PortalCredentials> {
    connection: PortalConnection;
    /**
     * With `multiPortal`: the application installed on many portals (design "Many portals"); flow
     * nodes then act on the installation `msg.portal.memberId` names, not on `connection`.
     */
    app?: PortalApp;
    /** The shared store of the portal's `store` property (several instances); undefined without one. */
    sharedStore?(): Coordination | undefined;
    /** The rings and the reads that found rows, as this portal's flow nodes report them. */
    deliveries: DeliveryWatch;
    /** Flow nodes using this portal; the runtime forwards this node's status and errors to them. */
    users: Record<string, Node>;
    register(user: Node): void;
    deregister(user: Node): void;
}

/**
 * The portal a flow node is configured with, registered as its user, with "throttled" shown on
 * the node's badge while the portal's bucket makes it wait. Without a portal it is undefined: the
 * badge turns red, the error is logged once, and every msg is answered with it (core MQTT does the
 * same for a missing broker).
 */
export function usePortal(
    RED: NodeAPI,
    node: Node,
    portalId: unknown,
    badge: StatusBadge,
): PortalNode | undefined {
    const portal = typeof portalId === 'string' ? (RED.nodes.getNode(portalId) as PortalNode | null) : null;
    if (!portal?.connection && !portal?.app) {
        badge.show('red', 'ring', sharedStatus(RED, 'noPortal'));
        node.error(noPortalError(RED).message);
        node.on('input', (_msg, _send, done) => done(noPortalError(RED)));
        return undefined;
    }
    portal.register(node);
    const onThrottled = (event: ThrottleEvent) => {
        if (event.waitMs >= 250) {
            const seconds = (event.waitMs / 1000).toFixed(1);
            badge.flash('yellow', 'ring', sharedStatus(RED, 'throttled', { seconds }), event.waitMs);
        }
    };
    const onMoved = (url: string) => {
        badge.flash(
            'yellow',
            'dot',
            sharedText(RED, 'status.portalMoved', { host: new URL(url).host }),
            MOVED_MS,
        );
    };
    // Many portals: any installation's bucket that makes this node's calls wait shows here.
    const app = portal.app;
    const onAppThrottled = (_portal: PortalRef, event: ThrottleEvent) => onThrottled(event);
    if (app) app.on('throttled', onAppThrottled);
    else {
        portal.connection.on('throttled', onThrottled);
        portal.connection.on('portalMoved', onMoved);
    }
    node.on('close', () => {
        if (app) app.off('throttled', onAppThrottled);
        else {
            portal.connection.off('throttled', onThrottled);
            portal.connection.off('portalMoved', onMoved);
        }
        portal.deregister(node);
    });
    return portal;
}

/** The error a flow node gives when it has no portal. */
export function noPortalError(RED: NodeAPI): Error {
    return new Error(sharedText(RED, 'errors.noPortal'));
}
