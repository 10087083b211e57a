import type { EventEmitter } from 'node:events';

import type { DocumentStore } from '../../bitrix24/internal';
import type { StoreState } from '../../bitrix24/storage/redis';

/**
 * What the flow nodes need from the shared store (design "Several Node-RED instances"): the
 * documents every instance shares, one drainer per portal under a lease, and a wake-up that
 * reaches the lease owner. The Redis library implements it; nothing here knows Redis.
 */
export interface Coordination extends EventEmitter<{ state: [StoreState] }> {
    /** This instance's name in leases and the status. */
    readonly instance: string;
    /** How long a lease lives without a heartbeat. */
    readonly leaseMs: number;
    readonly available: boolean;
    /** Resolves once the store is up, or after `ms` whatever its state. */
    whenUp(ms: number): Promise<void>;
    /** Tokens, ledgers and doorbell records, encrypted, shared by every instance. */
    readonly documents: DocumentStore;
    /** Takes the lease on `resource`, or renews it when this instance holds it; false when another does. */
    acquire(resource: string): Promise<boolean>;
    release(resource: string): Promise<void>;
    /** The instance holding `resource`'s lease; undefined when nobody does. */
    owner(resource: string): Promise<string | undefined>;
    /** The instances whose heartbeat is current. */
    instances(): Promise<string[]>;
    /** Tells the owner of `resource`, wherever it runs, that there is work. */
    wake(resource: string): Promise<void>;
    /** Calls `listener` when any instance wakes `resource`; returns what stops it. */
    onWake(resource: string, listener: () => void): () => void;
}

/** The resource a portal's queue is drained under: one lease per portal and queue selection. */
export function drainResource(portalHost: string, queueKey: string): string {
    return `drain:${portalHost}:${queueKey}`;
}
