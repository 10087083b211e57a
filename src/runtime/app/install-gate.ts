/**
 * A token bucket for the public install URL: each POST may cost a request to the host it names,
 * so a flood of forged installations is cut off here. 60 at once, then 20 a second: a thousand
 * genuine installations pass in under a minute.
 */
export class InstallGate {
    private tokens: number;
    private last: number;

    constructor(
        private readonly burst = 60,
        private readonly perSecond = 20,
        private readonly now: () => number = Date.now,
    ) {
        this.tokens = burst;
        this.last = now();
    }

    /** Whether one more installation POST may be looked at now. */
    admit(): boolean {
        const now = this.now();
        this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
        this.last = now;
        if (this.tokens < 1) return false;
        this.tokens -= 1;
        return true;
    }
}
