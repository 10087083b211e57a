import { log } from './console';

/** Things to undo, newest first, on success, failure and Ctrl-C. */
export class Cleanup {
    private readonly steps: { name: string; run: () => Promise<void> | void }[] = [];
    private running: Promise<void> | undefined;

    add(name: string, run: () => Promise<void> | void): void {
        this.steps.push({ name, run });
    }

    runAll(): Promise<void> {
        this.running ??= (async () => {
            for (const step of this.steps.reverse()) {
                try {
                    await step.run();
                } catch (err) {
                    log(`cleanup: ${step.name} failed: ${String(err)}`);
                }
            }
        })();
        return this.running;
    }
}
