/** One batch of a drain: `more` when the queue may hold more rows, `done` when it came back short. */
export type DrainStep = () => Promise<'more' | 'done'>;

interface Drain {
    step: DrainStep;
    waiters: { resolve(): void; reject(err: unknown): void }[];
    running: boolean;
    /** A request came while a batch was under way: one more batch, even if that one was the last. */
    again: boolean;
}

/**
 * Drains the queues of many installations, at most `concurrency` at once, in a fair rotation: a
 * queue takes one batch per turn and then goes to the back of the line, so a portal with a long
 * backlog never makes a portal with a short one wait for all of it (design "Many portals").
 */
export class DrainRotation {
    private readonly line: string[] = [];
    private readonly drains = new Map<string, Drain>();
    private active = 0;
    private closed = false;

    constructor(private readonly concurrency: number) {}

    /** Drains `key` with `step` until a batch says `done`; resolves then, or rejects with its error. */
    drain(key: string, step: DrainStep): Promise<void> {
        return new Promise((resolve, reject) => {
            if (this.closed) {
                resolve();
                return;
            }
            const present = this.drains.get(key);
            if (present) {
                present.waiters.push({ resolve, reject });
                if (present.running) present.again = true;
                return;
            }
            this.drains.set(key, { step, waiters: [{ resolve, reject }], running: false, again: false });
            this.line.push(key);
            this.pump();
        });
    }

    /** Whether `key` is being drained or waits for its turn. */
    has(key: string): boolean {
        return this.drains.has(key);
    }

    /** Takes no more batches; drains waiting for their turn resolve now. */
    close(): void {
        this.closed = true;
        for (const key of this.line.splice(0)) this.finish(key);
    }

    private pump(): void {
        while (!this.closed && this.active < Math.max(1, this.concurrency) && this.line.length > 0) {
            void this.turn(this.line.shift() as string);
        }
    }

    private async turn(key: string): Promise<void> {
        const drain = this.drains.get(key);
        if (!drain) return;
        this.active++;
        drain.running = true;
        drain.again = false;
        let outcome: 'more' | 'done';
        try {
            outcome = await drain.step();
        } catch (err) {
            this.active--;
            this.finish(key, err);
            this.pump();
            return;
        }
        this.active--;
        drain.running = false;
        if (!this.closed && (outcome === 'more' || drain.again)) this.line.push(key);
        else this.finish(key);
        this.pump();
    }

    private finish(key: string, err?: unknown): void {
        const drain = this.drains.get(key);
        this.drains.delete(key);
        for (const waiter of drain?.waiters ?? []) {
            if (err === undefined) waiter.resolve();
            else waiter.reject(err);
        }
    }
}
