/**
 * The closing work that keeps a portal's client open (an unbind, a last clear, a read under way):
 * what `holdOpen` is handed, forgotten once it settles, whether it succeeds or fails.
 */
export class CloseHolds {
    private readonly holds = new Set<Promise<void>>();

    add(work: Promise<unknown>): void {
        const hold = work.then(
            () => undefined,
            () => undefined,
        );
        this.holds.add(hold);
        void hold.then(() => this.holds.delete(hold));
    }

    /** The work not settled yet. */
    pending(): Iterable<Promise<void>> {
        return this.holds;
    }

    /** Resolves when every hold has settled, or after `limitMs`, whichever comes first. */
    async settled(limitMs: number): Promise<void> {
        if (this.holds.size === 0) return;
        let timer: NodeJS.Timeout | undefined;
        const cutOff = new Promise((resolve) => (timer = setTimeout(resolve, limitMs)));
        await Promise.race([Promise.all(this.holds), cutOff]);
        clearTimeout(timer);
    }
}
