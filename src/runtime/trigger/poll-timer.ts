/**
 * Fires `tick` after `seconds` without a reset, and again every `seconds` after that. The portal
 * drops rings inside the minTimeout window and never retries them (docs/bitrix24.md §6), so a poll
 * must follow any quiet period; a ring resets the timer. 0 seconds = off.
 */
export class PollTimer {
    private timer: NodeJS.Timeout | undefined;
    private stopped = false;

    constructor(
        private readonly seconds: number,
        private readonly tick: () => void,
    ) {
        this.reset();
    }

    reset(): void {
        clearTimeout(this.timer);
        if (this.stopped || !(this.seconds > 0)) return;
        // setTimeout holds at most 2^31-1 ms (about 24.8 days), as core's inject node notes.
        const ms = Math.min(this.seconds * 1000, 2_147_483_647);
        this.timer = setTimeout(() => {
            this.reset();
            this.tick();
        }, ms);
    }

    stop(): void {
        this.stopped = true;
        clearTimeout(this.timer);
    }
}
