// The change generator: creates N objects of one entity type, then updates them round-robin at
// a given rate, for a duration or a number of changes. Each change is its own user request.
import type { Portal } from '../portal';
import { applyUserChange, type ChangeEntity } from './user-change';

export interface GeneratorSpec {
    entityTypeId?: number;
    entity?: ChangeEntity;
    /** How many objects to create first (each creation raises an ADD event). Default 10. */
    objects?: number;
    /** Update changes per second. Default 10. */
    changesPerSecond?: number;
    /** Stop after this many seconds... */
    durationSeconds?: number;
    /** ...or after this many updates (whichever comes first). */
    count?: number;
    /** The acting user; default 1. */
    userId?: number;
}

export interface GeneratorStatus {
    running: boolean;
    objectIds: number[];
    changesMade: number;
}

const TICK_MS = 10;
const MAX_PER_TICK = 5000;

export class ChangeGenerator {
    private timer: NodeJS.Timeout | null = null;
    private status: GeneratorStatus = { running: false, objectIds: [], changesMade: 0 };

    constructor(private readonly portal: Portal) {}

    start(spec: GeneratorSpec): GeneratorStatus {
        this.stop();
        const rate = spec.changesPerSecond ?? 10;
        if (!(rate > 0)) throw new Error('changesPerSecond must be positive');
        const target = { entity: spec.entity, entityTypeId: spec.entityTypeId, userId: spec.userId };
        const objectIds: number[] = [];
        for (let i = 0; i < (spec.objects ?? 10); i++) {
            objectIds.push(
                applyUserChange(this.portal, {
                    ...target,
                    action: 'add',
                    fields: { title: `Generated ${i + 1}` },
                }).id,
            );
        }
        this.status = { running: true, objectIds, changesMade: 0 };
        const startedMs = Date.now();
        const tick = () => {
            const elapsed = (Date.now() - startedMs) / 1000;
            const overTime = spec.durationSeconds !== undefined && elapsed >= spec.durationSeconds;
            let due =
                Math.floor(Math.min(elapsed, spec.durationSeconds ?? Infinity) * rate) -
                this.status.changesMade;
            if (spec.count !== undefined) due = Math.min(due, spec.count - this.status.changesMade);
            for (let i = 0; i < Math.min(due, MAX_PER_TICK) && objectIds.length > 0; i++) {
                const id = objectIds[this.status.changesMade % objectIds.length];
                applyUserChange(this.portal, {
                    ...target,
                    action: 'update',
                    id,
                    fields: { title: `Generated change ${this.status.changesMade + 1}` },
                });
                this.status.changesMade++;
            }
            const done = overTime || (spec.count !== undefined && this.status.changesMade >= spec.count);
            if (done || objectIds.length === 0) this.stop();
        };
        this.timer = this.portal.timers.setInterval(tick, TICK_MS);
        return this.current();
    }

    stop(): GeneratorStatus {
        if (this.timer) this.portal.timers.clear(this.timer);
        this.timer = null;
        this.status.running = false;
        return this.current();
    }

    current(): GeneratorStatus {
        return { ...this.status, objectIds: [...this.status.objectIds] };
    }
}
