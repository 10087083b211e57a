import { EventEmitter } from 'node:events';

import type { Coordination } from './coordination';

/**
 * This instance's hold on one drain resource (design "Several Node-RED instances": one drainer
 * per portal). A heartbeat takes or renews the lease three times per lease time; the hold counts
 * only until the lease could have run out since the last renewal that succeeded, so an instance
 * cut off from the store stops reserving before another one may take over.
 */
export class DrainLease extends EventEmitter<{ change: [boolean] }> {
    private heldUntil = 0;
    private wasHeld = false;
    private timer: NodeJS.Timeout | undefined;
    private ticking: Promise<void> | undefined;
    private closed = false;

    constructor(
        private readonly store: Coordination,
        readonly resource: string,
        private readonly warn: (err: unknown) => void,
        private readonly now: () => number = Date.now,
    ) {
        super();
    }

    /** Whether this instance may start new reads of the resource now. */
    get held(): boolean {
        return this.store.available && this.now() < this.heldUntil;
    }

    start(): void {
        const every = Math.max(100, Math.floor(this.store.leaseMs / 3));
        this.timer = setInterval(() => void this.tick(), every);
        this.timer.unref();
        this.store.on('state', this.onState);
        void this.tick();
    }

    /** One heartbeat now (also what a test or a ring may call to take a free lease at once). */
    tick(): Promise<void> {
        this.ticking ??= this.beat().finally(() => (this.ticking = undefined));
        return this.ticking;
    }

    async close(): Promise<void> {
        this.closed = true;
        clearInterval(this.timer);
        this.store.off('state', this.onState);
        await this.ticking;
        const held = this.held;
        this.heldUntil = 0;
        // Handing the lease back lets another instance drain at once instead of after leaseSeconds.
        if (held) await this.store.release(this.resource).catch(() => undefined);
    }

    private readonly onState = (): void => {
        this.report();
        if (this.store.available) void this.tick();
    };

    private async beat(): Promise<void> {
        if (this.closed) return;
        const started = this.now();
        try {
            const mine = await this.store.acquire(this.resource);
            // A renewal counts from when it was asked, not when it was answered.
            this.heldUntil = mine && !this.closed ? started + this.store.leaseMs * 0.8 : 0;
        } catch (err) {
            // Unreachable store: the hold runs out by itself; the state event says why.
            if (this.store.available) this.warn(err);
        }
        this.report();
    }

    private report(): void {
        const held = this.held;
        if (held === this.wasHeld) return;
        this.wasHeld = held;
        this.emit('change', held);
    }
}
