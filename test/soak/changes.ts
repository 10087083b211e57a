/**
 * The change generator of the soak: user changes to deals, at a steady rate, through the
 * emulator's control API (in this process, so each change is on record the moment it is made).
 * First every object is created, then objects are updated round-robin, and now and then one is
 * deleted. Every change writes a title that no other change writes (`soak <n>`), so the state
 * the external system holds names the change it comes from.
 */
import type { EmulatorControl } from '../../dist/emulator';

/** The last change of an object: the title it wrote, or its deletion. */
export interface LastChange {
    seq: number;
    title: string | null;
    deleted: boolean;
}

export interface ChangeFigures {
    made: number;
    adds: number;
    updates: number;
    deletes: number;
}

export interface ChangePlan {
    total: number;
    seconds: number;
    objects: number;
    /** Share of the updates that are deletions instead (while more than half the objects live). */
    deleteShare: number;
}

const TICK_MS = 20;

export class ChangeDriver {
    readonly figures: ChangeFigures = { made: 0, adds: 0, updates: 0, deletes: 0 };
    /** Every object ever created -> its last change. */
    readonly last = new Map<number, LastChange>();
    private live: number[] = [];
    private cursor = 0;
    private timer: NodeJS.Timeout | undefined;
    private finished: (() => void) | undefined;

    constructor(
        private readonly control: EmulatorControl,
        private readonly plan: ChangePlan,
        private readonly random: () => number,
    ) {}

    /** Resolves once every change is made (or `stop` is called). */
    run(): Promise<void> {
        const started = Date.now();
        const rate = this.plan.total / this.plan.seconds;
        return new Promise((resolve) => {
            this.finished = resolve;
            this.timer = setInterval(() => {
                const elapsed = (Date.now() - started) / 1000;
                const due = Math.min(this.plan.total, Math.floor(elapsed * rate)) - this.figures.made;
                for (let i = 0; i < due; i++) this.change();
                if (this.figures.made >= this.plan.total) this.stop();
            }, TICK_MS);
        });
    }

    stop(): void {
        clearInterval(this.timer);
        this.timer = undefined;
        this.finished?.();
        this.finished = undefined;
    }

    private change(): void {
        const seq = this.figures.made + 1;
        const title = `soak ${seq}`;
        if (this.figures.adds < this.plan.objects || this.live.length === 0) {
            const { id } = this.control.userChange({ entity: 'deal', action: 'add', fields: { title } });
            this.live.push(id);
            this.last.set(id, { seq, title, deleted: false });
            this.figures.adds++;
        } else {
            this.cursor %= this.live.length;
            const id = this.live[this.cursor];
            const mayDelete = this.live.length > this.plan.objects / 2;
            if (mayDelete && this.random() < this.plan.deleteShare) {
                this.control.userChange({ entity: 'deal', action: 'delete', id });
                this.live.splice(this.cursor, 1);
                this.last.set(id, { seq, title: null, deleted: true });
                this.figures.deletes++;
            } else {
                this.control.userChange({ entity: 'deal', action: 'update', id, fields: { title } });
                this.last.set(id, { seq, title, deleted: false });
                this.figures.updates++;
                this.cursor++;
            }
        }
        this.figures.made++;
    }
}
