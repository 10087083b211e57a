import type { RestTime } from '../envelope';
import type { SharedBudgetLink } from './shared-limits';

/**
 * The per-method time budget of docs/bitrix24.md §8: the portal sums each method's processing time
 * over a rolling 10 minutes and answers 429 OPERATION_TIME_LIMIT past the limit. Replies report
 * the sum (`time.operating`) and when the oldest minute drops off (`time.operating_reset_at`);
 * a method close to the limit pauses until that reset instead of running into the 429.
 */
export class OperatingBudget {
    private readonly blockedUntil = new Map<string, number>();
    private readonly resetAt = new Map<string, number>();
    private shared: SharedBudgetLink | undefined;
    private stopListening: (() => void) | undefined;

    constructor(
        private limitSeconds = 480,
        private readonly marginSeconds = 5,
        private readonly now: () => number = Date.now,
    ) {}

    configure(limitSeconds: number): void {
        this.limitSeconds = limitSeconds;
    }

    /** Shares blocks with the other processes of the portal; undefined goes back to this process alone. */
    share(link: SharedBudgetLink | undefined): void {
        if (link === this.shared) return;
        this.stopListening?.();
        this.stopListening = undefined;
        this.shared = link;
        if (link) this.stopListening = link.listen((method, untilMs) => this.apply(method, untilMs));
    }

    record(method: string, time: RestTime | undefined): void {
        if (!time) return;
        if (typeof time.operating_reset_at === 'number') {
            this.resetAt.set(method, time.operating_reset_at * 1000);
        }
        if (typeof time.operating === 'number' && time.operating >= this.limitSeconds - this.marginSeconds) {
            this.block(method, this.resetAt.get(method));
        }
    }

    /** The portal refused the method (429): wait for the reset it reported, or the last one seen. */
    block(method: string, untilMs?: number): number {
        const known = untilMs ?? this.resetAt.get(method);
        const until = known && known > this.now() ? known + 1000 : this.now() + 10_000;
        this.blockedUntil.set(method, until);
        this.shared?.publish(method, until);
        return until - this.now();
    }

    /** Another process blocked the method. */
    private apply(method: string, untilMs: number): void {
        if (untilMs > (this.blockedUntil.get(method) ?? 0) && untilMs > this.now()) {
            this.blockedUntil.set(method, untilMs);
        }
    }

    /** Milliseconds until the method may be called again. */
    delay(method: string): number {
        const until = this.blockedUntil.get(method);
        if (until === undefined) return 0;
        const wait = until - this.now();
        if (wait <= 0) this.blockedUntil.delete(method);
        return Math.max(0, wait);
    }
}
