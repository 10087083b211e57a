// Every timer the emulator starts goes through here, so that stop() can clear them all.

export class TimerSet {
    private readonly timers = new Set<NodeJS.Timeout>();
    private readonly sleepers = new Set<() => void>();
    private stopped = false;

    setTimeout(callback: () => void, ms: number): NodeJS.Timeout {
        const timer = setTimeout(() => {
            this.timers.delete(timer);
            callback();
        }, ms);
        this.timers.add(timer);
        return timer;
    }

    setInterval(callback: () => void, ms: number): NodeJS.Timeout {
        const timer = setInterval(callback, ms);
        this.timers.add(timer);
        return timer;
    }

    clear(timer: NodeJS.Timeout): void {
        clearTimeout(timer);
        clearInterval(timer);
        this.timers.delete(timer);
    }

    /** Resolves after `ms`, or at once when the emulator stops. */
    sleep(ms: number): Promise<void> {
        if (this.stopped) return Promise.resolve();
        return new Promise((resolve) => {
            const wake = () => {
                this.sleepers.delete(wake);
                resolve();
            };
            this.sleepers.add(wake);
            this.setTimeout(wake, ms);
        });
    }

    stop(): void {
        this.stopped = true;
        for (const timer of this.timers) {
            clearTimeout(timer);
            clearInterval(timer);
        }
        this.timers.clear();
        for (const wake of [...this.sleepers]) wake();
    }
}
