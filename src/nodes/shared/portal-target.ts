import { invalidArgument } from '../../bitrix24';
import { isObject } from '../../bitrix24/internal';
import type { PortalApp, PortalRef } from '../../runtime/app/portal-app';
import type { PortalConnection } from '../../runtime/portal/portal-connection';
import type { InputMessage } from './messages';
import type { PortalNode } from './portal-node';

/** The installation a msg acts on. */
export interface PortalTarget {
    connection: PortalConnection;
    /** Its `msg.portal` (multi-portal mode only); outputs carry it. */
    portal?: PortalRef;
    /** What keeps this installation's reservations apart from another's (undefined: one portal). */
    key?: string;
}

/**
 * The connection a msg acts on: the portal node's own, or for an application installed on many
 * portals (design "Many portals") the installation `msg.portal.memberId` names. Without a known
 * `msg.portal` it throws "which portal?" before any request, so nothing changes anywhere.
 */
export function portalTarget(portal: PortalNode, msg: InputMessage): PortalTarget {
    const app = portal.app;
    if (!app) return { connection: portal.connection };
    const memberId = memberIdOf(msg.portal);
    const connection = memberId === undefined ? undefined : app.connection(memberId);
    const ref = memberId === undefined ? undefined : app.portal(memberId);
    if (memberId === undefined || !connection || !ref) throw whichPortal(memberId);
    return { connection, portal: ref, key: installationKey(portal, memberId) };
}

/** The key of one installation of one application, e.g. for its reservation registry. */
export function installationKey(portal: { id: string }, memberId: string): string {
    return `${portal.id}/${memberId}`;
}

/** `msg.portal.memberId`, when it is a non-empty string. */
export function memberIdOf(value: unknown): string | undefined {
    if (!isObject(value)) return undefined;
    const { memberId } = value;
    return typeof memberId === 'string' && memberId !== '' ? memberId : undefined;
}

/** The installation a msg names, or undefined without `msg.portal`; throws when it names an unknown one. */
export function namedInstallation(app: PortalApp, msg: InputMessage): PortalRef | undefined {
    if (msg.portal === undefined || msg.portal === null) return undefined;
    const memberId = memberIdOf(msg.portal);
    const ref = memberId === undefined ? undefined : app.portal(memberId);
    if (!ref) throw whichPortal(memberId);
    return ref;
}

function whichPortal(memberId: string | undefined) {
    return invalidArgument(
        'portal',
        memberId === undefined ? 'which-portal' : 'unknown-portal',
        memberId === undefined
            ? 'which portal? msg.portal.memberId is needed'
            : `which portal? No installation has member_id ${memberId}`,
        memberId === undefined ? undefined : { memberId },
    );
}
