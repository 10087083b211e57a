// The emulator's clock: real time plus a settable offset. Everything Bitrix decides by time
// (token expiry, the 30 s code lifetime, TIMESTAMP_X, the ~34-day purge, the rate limits, the
// minTimeout window) reads it, so tests can jump ahead instead of waiting.

export class Clock {
    private offsetMs = 0;

    nowMs(): number {
        return Date.now() + this.offsetMs;
    }

    /** Whole unix seconds, as PHP's time() gives them. */
    nowSeconds(): number {
        return Math.floor(this.nowMs() / 1000);
    }

    offsetSeconds(): number {
        return this.offsetMs / 1000;
    }

    setOffset(seconds: number): void {
        this.offsetMs = seconds * 1000;
    }

    advance(seconds: number): void {
        this.offsetMs += seconds * 1000;
    }
}
