// The emulator's clock: real time plus a settable offset. Everything Bitrix decides by time
// (token expiry, the 30 s code lifetime, TIMESTAMP_X, the ~34-day purge, the rate limits, the
// minTimeout window) reads it, so tests can jump ahead instead of waiting. It can also be frozen
// (then only `advance` moves it), which makes rate-limit tests independent of machine speed.

export class Clock {
    private offsetMs = 0;
    private frozenAt: number | null = null;

    nowMs(): number {
        return this.frozenAt ?? Date.now() + this.offsetMs;
    }

    /** Whole unix seconds, as PHP's time() gives them. */
    nowSeconds(): number {
        return Math.floor(this.nowMs() / 1000);
    }

    offsetSeconds(): number {
        return (this.nowMs() - Date.now()) / 1000;
    }

    isFrozen(): boolean {
        return this.frozenAt !== null;
    }

    setOffset(seconds: number): void {
        this.offsetMs = seconds * 1000;
        if (this.frozenAt !== null) this.frozenAt = Date.now() + this.offsetMs;
    }

    advance(seconds: number): void {
        this.offsetMs += seconds * 1000;
        if (this.frozenAt !== null) this.frozenAt += seconds * 1000;
    }

    /** Stops (or restarts) the clock at its current reading. */
    freeze(frozen: boolean): void {
        if (frozen && this.frozenAt === null) this.frozenAt = this.nowMs();
        if (!frozen && this.frozenAt !== null) {
            this.offsetMs = this.frozenAt - Date.now();
            this.frozenAt = null;
        }
    }
}
