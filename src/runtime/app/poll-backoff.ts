/** The clock the scheduler runs on; a test injects its own. */
export interface PollClock {
    now(): number;
    setTimeout(fire: () => void, ms: number): unknown;
    clearTimeout(handle: unknown): void;
}

const realClock: PollClock = {
    now: () => Date.now(),
    setTimeout: (fire, ms) => setTimeout(fire, ms).unref(),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The longest wait between two polls of an idle installation (design "Many portals"). */
export const MAX_POLL_INTERVAL_MS = 15 * 60_000;
/** setTimeout holds at most 2^31-1 ms. */
const LONGEST_TIMER_MS = 2_147_483_647;

interface Schedule {
    intervalMs: number;
    dueAt: number;
}

/**
 * Polls of the idle installations of a multi-portal application: each is polled `baseMs` after
 * its last ring, poll with rows or start, then at double the interval while it stays idle, up to
 * 15 minutes. One timer, for the earliest poll due, however many installations there are.
 */
export class PollBackoff {
    private readonly schedules = new Map<string, Schedule>();
    private timer: unknown;
    private armedAt = Infinity;
    private closed = false;

    constructor(
        private readonly baseMs: number,
        private readonly tick: (key: string) => void,
        private readonly maxMs = MAX_POLL_INTERVAL_MS,
        private readonly clock: PollClock = realClock,
    ) {}

    /** Starts (or restarts) polling `key` at the base interval: a new installation, a ring, rows found. */
    reset(key: string): void {
        if (this.closed || !(this.baseMs > 0)) return;
        const dueAt = this.clock.now() + this.baseMs;
        this.schedules.set(key, { intervalMs: this.baseMs, dueAt });
        if (dueAt < this.armedAt) this.arm(dueAt);
    }

    /**
     * Starts polling `key` as an installation that has been idle all along: first at the longest
     * interval. For a fresh installation whose doorbell is bound: its queue starts empty, and its
     * rings carry what comes; a ring or rows found bring it back to the base interval.
     */
    startIdle(key: string): void {
        if (this.closed || !(this.baseMs > 0)) return;
        const intervalMs = Math.max(this.maxMs, this.baseMs);
        const dueAt = this.clock.now() + intervalMs;
        this.schedules.set(key, { intervalMs, dueAt });
        if (dueAt < this.armedAt) this.arm(dueAt);
    }

    /** Stops polling `key` (uninstalled). */
    remove(key: string): void {
        this.schedules.delete(key);
    }

    /** When `key` is polled next (unix ms), if at all. */
    dueAt(key: string): number | undefined {
        return this.schedules.get(key)?.dueAt;
    }

    close(): void {
        this.closed = true;
        this.schedules.clear();
        this.clock.clearTimeout(this.timer);
        this.armedAt = Infinity;
    }

    private arm(dueAt: number): void {
        this.clock.clearTimeout(this.timer);
        this.armedAt = dueAt;
        const wait = Math.min(Math.max(0, dueAt - this.clock.now()), LONGEST_TIMER_MS);
        this.timer = this.clock.setTimeout(() => this.fire(), wait);
    }

    private fire(): void {
        this.armedAt = Infinity;
        if (this.closed) return;
        const now = this.clock.now();
        const due: string[] = [];
        let next = Infinity;
        for (const [key, schedule] of this.schedules) {
            if (schedule.dueAt <= now) {
                due.push(key);
                schedule.intervalMs = Math.min(schedule.intervalMs * 2, Math.max(this.maxMs, this.baseMs));
                schedule.dueAt = now + schedule.intervalMs;
            }
            next = Math.min(next, schedule.dueAt);
        }
        if (next < Infinity) this.arm(next);
        // After the new schedule is set: a tick that resets its key (rows found at once) wins.
        for (const key of due) this.tick(key);
    }
}
