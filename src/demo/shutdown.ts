/**
 * Stops what the demo started, in reverse order, once: on Ctrl-C, SIGTERM, or a failure. A
 * signal that comes while the demo is still starting waits for the start to settle first, so
 * nothing it was starting is left running.
 */
export class Shutdown {
    private readonly steps: (() => Promise<void>)[] = [];
    private startup: Promise<unknown> = Promise.resolve();
    started = false;

    /** The start-up in progress; `run` waits for it. */
    starting(startup: Promise<unknown>): void {
        this.startup = startup.catch(() => undefined);
    }

    add(step: () => Promise<void>): void {
        this.steps.push(step);
    }

    async run(exitCode: number): Promise<void> {
        if (this.started) return;
        this.started = true;
        await this.startup;
        for (const step of this.steps.reverse()) {
            try {
                await step();
            } catch (error) {
                console.error(`while stopping: ${error instanceof Error ? error.message : String(error)}`);
            }
        }
        process.exit(exitCode);
    }
}
