import type { EventEmitter } from 'node:events';

import type { ThrottleEvent } from '../../bitrix24';
import type { DocumentStore } from '../../bitrix24/internal';
import type { BindingSpec } from '../bind/binding-spec';
import type { PortalConnection } from '../portal/portal-connection';

/**
 * The contract between a `bitrix24-portal` node with `multiPortal: true` (an application installed
 * on many portals, design "Many portals") and the flow nodes that use it. No Node-RED here.
 */

/** Which installation a msg is about: `msg.portal`. Never a token. */
export interface PortalRef {
    memberId: string;
    /** The installation's `auth[domain]`, kept current on a rename. */
    domain: string;
}

export type InstallationStatus = 'active' | 'blocked';

/** One installation as the `bitrix24-portals` node lists it. */
export interface InstallationSummary extends PortalRef {
    status: InstallationStatus;
    /** ISO time of the installation. */
    installedAt: string;
    /** Why it is blocked (PAYMENT_REQUIRED, ERROR_OAUTH, PORTAL_DELETED, WRONG_LICENSE, NOT_ADMIN). */
    reason?: string;
}

export type LifecycleTopic = 'installed' | 'updated' | 'uninstalled' | 'blocked' | 'unblocked';

/** One change of an installation: a `bitrix24-portals` msg (`topic`, `portal`, `payload`). */
export interface LifecycleEvent {
    topic: LifecycleTopic;
    portal: PortalRef;
    status: InstallationStatus | 'uninstalled';
    reason: string;
    /** Uninstall with `data[CLEAN]`: the application's data on this portal is to be forgotten too. */
    clean?: boolean;
}

/** A verified ONOFFLINEEVENT of one installation, as the trigger node sends it. */
export interface AppRing {
    portal: PortalRef;
    /** `{event, ts, domain, member_id}`: the trigger's msg.payload. */
    payload: { event: string; ts: number; domain: string; member_id: string };
}

export interface PortalAppEvents {
    lifecycle: [LifecycleEvent];
    ring: [AppRing];
    /** An installation's bucket makes its callers wait. */
    throttled: [PortalRef, ThrottleEvent];
}

/** The application as flow nodes see it (`PortalNode.app`). */
export interface PortalApp extends EventEmitter<PortalAppEvents> {
    /** Resolves once the stored installations are read (a restart resumes them all). */
    readonly ready?: Promise<void>;
    /** Every installation, active and blocked. */
    installations(): InstallationSummary[];
    /**
     * The connection of an installation (its own client, limiter, budgets and tokens); undefined
     * when no installation has this member_id. A blocked one rejects its calls with the reason.
     */
    connection(memberId: string): PortalConnection | undefined;
    /** The `msg.portal` of an installation; undefined when unknown. */
    portal(memberId: string): PortalRef | undefined;
    /** The base URL of this Node-RED as the portals reach it (the node's `publicUrl`). */
    readonly publicUrl: string;
    /** Portals drained at once by one get node. */
    readonly concurrency: number;
    /**
     * A binding every installation must have, now and on every later install or update (a trigger
     * with autoBind, a bind node with onDeploy); `owner` is the node id. Returns what removes it.
     */
    keepBound(owner: string, spec: BindingSpec): () => Promise<void>;
    /** As PortalConnection.holdOpen: the app's connections stay open until `work` settles. */
    holdOpen(work: Promise<unknown>): void;
    /**
     * Where the application keeps its documents; flow nodes keep theirs per installation beside
     * them (a get node's `ledger-<node>-<memberId>`). Absent: the Node-RED user directory.
     */
    readonly store?: DocumentStore;
}
