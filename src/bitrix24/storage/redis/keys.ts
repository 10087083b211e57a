/** Where each piece of shared state lives under the store's prefix. */
export class StoreKeys {
    constructor(readonly prefix: string) {}

    bucket(host: string): string {
        return `${this.prefix}bucket:${host}`;
    }

    budget(host: string): string {
        return `${this.prefix}budget:${host}`;
    }

    tokens(name: string): string {
        return `${this.prefix}tokens:${name}`;
    }

    tokenLock(name: string): string {
        return `${this.prefix}lock:tokens:${name}`;
    }

    document(name: string): string {
        return `${this.prefix}doc:${name}`;
    }

    lease(resource: string): string {
        return `${this.prefix}lease:${resource}`;
    }

    /** The leases an instance holds (zset resource -> expiry). */
    leasesOf(instance: string): string {
        return `${this.prefix}leases-of:${instance}`;
    }

    get instances(): string {
        return `${this.prefix}instances`;
    }

    get resources(): string {
        return `${this.prefix}resources`;
    }

    /** Pub/sub channels, under the same prefix so that applications sharing a Redis stay apart. */
    wakeChannel(resource: string): string {
        return `${this.prefix}wake:${resource}`;
    }

    budgetChannel(host: string): string {
        return `${this.prefix}budget:${host}`;
    }
}
