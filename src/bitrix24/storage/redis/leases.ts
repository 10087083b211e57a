import { EventEmitter } from 'node:events';

import type { StoreKeys } from './keys';
import type { ScriptedRedis } from './scripts';
import { guarded } from './store-error';

/**
 * One holder per resource (a portal's queue) across the instances: a lease is a key holding the
 * instance's name, expiring after `leaseMs` unless renewed by a heartbeat. Instances share the
 * resources evenly: one takes a free lease only while it holds fewer than ceil(resources / live
 * instances), and gives up the surplus at its heartbeat when another instance joins. When an
 * instance dies its leases expire and the others take them. A Redis that restarted empty loses
 * the leases; the next heartbeat takes them again.
 */
export class Leases extends EventEmitter<{ acquired: [string]; lost: [string] }> {
    private readonly held = new Set<string>();
    private readonly wanted = new Set<string>();

    constructor(
        private readonly redis: ScriptedRedis,
        private readonly keys: StoreKeys,
        readonly instance: string,
        readonly leaseMs: number,
    ) {
        super();
    }

    /** This instance would drain `resource`: each heartbeat tries for it while it is free. */
    want(resource: string): void {
        this.wanted.add(resource);
    }

    /** This instance no longer drains `resource`: the lease is given up at once. */
    async unwant(resource: string): Promise<void> {
        this.wanted.delete(resource);
        if (this.held.has(resource)) await this.release(resource);
    }

    /** One heartbeat: renew what is held, then try for each wanted resource that is free. */
    async beat(): Promise<string[]> {
        await this.renew();
        for (const resource of this.wanted) {
            if (this.held.has(resource)) continue;
            // At its fair share: trying the other free ones would only cost round trips.
            if ((await this.take(resource)) === 'full') break;
        }
        return this.owned();
    }

    /** Takes or renews the lease on `resource`; resolves whether this instance holds it. */
    async acquire(resource: string): Promise<boolean> {
        return (await this.take(resource)) === 'held';
    }

    private async take(resource: string): Promise<'held' | 'taken' | 'full'> {
        const { keys, instance } = this;
        const answer = await guarded(() =>
            this.redis.b24LeaseAcquire(
                keys.leasesOf(instance),
                keys.instances,
                keys.resources,
                keys.lease(resource),
                instance,
                this.leaseMs,
                resource,
            ),
        );
        this.note(resource, answer === 1);
        return answer === 1 ? 'held' : answer === 0 ? 'taken' : 'full';
    }

    /**
     * The heartbeat: renews every lease held, gives up the surplus over the fair share and learns
     * of leases taken over. Resolves the resources still held. Call it well within `leaseMs`.
     */
    async renew(): Promise<string[]> {
        const { keys, instance } = this;
        const resources = [...this.held];
        const leaseKeys = resources.map((resource) => keys.lease(resource));
        const others = [...this.wanted].filter((resource) => !this.held.has(resource));
        const kept = await guarded(() =>
            this.redis.b24LeaseRenew(
                3 + leaseKeys.length,
                keys.leasesOf(instance),
                keys.instances,
                keys.resources,
                ...leaseKeys,
                instance,
                this.leaseMs,
                ...resources,
                ...others,
            ),
        );
        const still = new Set(kept);
        for (const resource of resources) this.note(resource, still.has(resource));
        return kept;
    }

    /** Gives the lease up at once (the resource is gone, or the instance stops). */
    async release(resource: string): Promise<void> {
        this.note(resource, false);
        await guarded(() =>
            this.redis.b24LeaseRelease(
                this.keys.leasesOf(this.instance),
                this.keys.lease(resource),
                this.instance,
                resource,
            ),
        );
    }

    /** The instance holding `resource`, or undefined. */
    async owner(resource: string): Promise<string | undefined> {
        return (await guarded(() => this.redis.get(this.keys.lease(resource)))) ?? undefined;
    }

    /** The holders of several resources at once, in their order (undefined: free). */
    async owners(resources: string[]): Promise<(string | undefined)[]> {
        if (resources.length === 0) return [];
        const values = await guarded(() => this.redis.mget(...resources.map((r) => this.keys.lease(r))));
        return values.map((value) => value ?? undefined);
    }

    /** The instances whose heartbeat is current. */
    instances(): Promise<string[]> {
        return guarded(() => this.redis.b24LiveInstances(this.keys.instances));
    }

    /** What this instance believes it holds, as of its last acquire or heartbeat. */
    owned(): string[] {
        return [...this.held];
    }

    /** Forgets every lease locally: the store is away, so another instance may take them. */
    forget(): void {
        for (const resource of [...this.held]) this.note(resource, false);
    }

    private note(resource: string, held: boolean): void {
        if (held === this.held.has(resource)) return;
        if (held) this.held.add(resource);
        else this.held.delete(resource);
        this.emit(held ? 'acquired' : 'lost', resource);
    }
}
