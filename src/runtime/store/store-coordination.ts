import { EventEmitter } from 'node:events';

import type { DocumentStore } from '../../bitrix24/internal';
import { SharedStore, type StoreState } from '../../bitrix24/storage/redis';
import type { Coordination } from './coordination';
import type { StoreSettings } from './store-settings';

/** A lease and its holder, as the store node's Test connection lists them. */
export interface LeaseView {
    resource: string;
    owner: string | undefined;
}

/**
 * The flow nodes' view (Coordination) of the shared store on Redis (SharedStore): leases, the
 * live instances, wake-ups, documents, and the store's up/down state. It also remembers the
 * resources this instance's nodes drain, which are every instance's, since all run the same
 * flows: Test connection lists who holds each.
 */
export class StoreCoordination extends EventEmitter<{ state: [StoreState] }> implements Coordination {
    readonly store: SharedStore;
    readonly leaseMs: number;
    private readonly resources = new Set<string>();

    constructor(settings: StoreSettings, secret: string | undefined) {
        super();
        this.leaseMs = settings.leaseSeconds * 1000;
        this.store = SharedStore.open({ ...settings, secret });
        this.store.on('state', (state) => this.emit('state', state));
    }

    get instance(): string {
        return this.store.instance;
    }

    get available(): boolean {
        return this.store.available;
    }

    get documents(): DocumentStore {
        return this.store.documents;
    }

    whenUp(ms: number): Promise<void> {
        return this.store.whenUp(ms).catch(() => undefined);
    }

    async acquire(resource: string): Promise<boolean> {
        this.resources.add(resource);
        return this.store.leases.acquire(resource);
    }

    release(resource: string): Promise<void> {
        return this.store.leases.release(resource);
    }

    owner(resource: string): Promise<string | undefined> {
        return this.store.leases.owner(resource);
    }

    instances(): Promise<string[]> {
        return this.store.leases.instances();
    }

    wake(resource: string): Promise<void> {
        return this.store.wake(resource);
    }

    onWake(resource: string, listener: () => void): () => void {
        return this.store.onWake(resource, listener);
    }

    async leases(): Promise<LeaseView[]> {
        const resources = [...this.resources].sort();
        const owners = await this.store.leases.owners(resources);
        return resources.map((resource, i) => ({ resource, owner: owners[i] }));
    }

    async close(): Promise<void> {
        await this.store.close();
        this.removeAllListeners();
    }
}
