const MINUTE_MS = 60_000;
const HOUR_MINUTES = 60;

/** Counts per minute over the last hour: 60 buckets, reused as the minutes go by. */
export class HourCounter {
    private readonly counts = new Array<number>(HOUR_MINUTES).fill(0);
    private readonly minutes = new Array<number>(HOUR_MINUTES).fill(-1);

    add(now: number, count = 1): void {
        const minute = Math.floor(now / MINUTE_MS);
        const slot = minute % HOUR_MINUTES;
        if (this.minutes[slot] !== minute) {
            this.minutes[slot] = minute;
            this.counts[slot] = 0;
        }
        this.counts[slot] += count;
    }

    /** The count of the last 60 minutes, this one included. */
    sum(now: number): number {
        const oldest = Math.floor(now / MINUTE_MS) - HOUR_MINUTES;
        let total = 0;
        for (let slot = 0; slot < HOUR_MINUTES; slot++) {
            if (this.minutes[slot] > oldest) total += this.counts[slot];
        }
        return total;
    }
}

/** `[unix ms, value]` points of the last hour, at most `limit` of them (the oldest go first). */
export class HourSamples {
    private readonly points: [number, number][] = [];

    constructor(private readonly limit = 120) {}

    add(now: number, value: number): void {
        this.points.push([now, value]);
        this.trim(now);
    }

    list(now: number): [number, number][] {
        this.trim(now);
        return this.points.slice();
    }

    private trim(now: number): void {
        const oldest = now - HOUR_MINUTES * MINUTE_MS;
        let drop = 0;
        while (drop < this.points.length && this.points[drop][0] < oldest) drop++;
        drop = Math.max(drop, this.points.length - this.limit);
        if (drop > 0) this.points.splice(0, drop);
    }
}
