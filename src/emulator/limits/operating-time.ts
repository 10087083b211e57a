// The per-method operating-time budget (docs/bitrix24.md §8, per source engine/access/loadlimiter.php):
// the processing time of each method is summed per app (or webhook) in ten 1-minute buckets; when
// the sum is above the limit the next call of that method gets 429 OPERATION_TIME_LIMIT. A bucket
// expires 600 s after the first write into it, and `operating_reset_at` is that expiry of the
// oldest live bucket. Within one request, a method's total time of 0.1 s or less is not recorded;
// `batch` itself is not counted, its sub-calls are.

const BUCKET_SECONDS = 60;
const BUCKET_COUNT = 10;
export const MINIMAL_FIX_TIME = 0.1;

interface Bucket {
    time: number;
    expireAt: number;
}

/** What one request has spent per method key so far (LoadLimiter::$timeRegistered). */
export class RequestTimes {
    readonly spent = new Map<string, number[]>();
    firstStart: number | null = null;

    add(key: string, startSeconds: number, seconds: number): void {
        if (this.firstStart === null) this.firstStart = startSeconds;
        const list = this.spent.get(key);
        if (list) list.push(seconds);
        else this.spent.set(key, [seconds]);
    }
}

export class OperatingTime {
    private readonly buckets = new Map<string, Map<number, Bucket>>();

    constructor(public limitSeconds: number) {}

    static key(authType: string, entity: string | number, method: string): string {
        return `${authType}|${entity}|${method}`;
    }

    /** getRestTime: the live buckets plus this request's calls above the minimal time. */
    used(key: string, nowSeconds: number, request?: RequestTimes): number {
        let total = 0;
        const numBucket = Math.floor(nowSeconds / BUCKET_SECONDS);
        const buckets = this.buckets.get(key);
        if (buckets) {
            for (let i = 0; i < BUCKET_COUNT; i++) {
                const bucket = buckets.get(numBucket - i);
                if (bucket && bucket.expireAt > nowSeconds) total += bucket.time;
            }
        }
        for (const seconds of request?.spent.get(key) ?? []) {
            if (seconds > MINIMAL_FIX_TIME) total += seconds;
        }
        return total;
    }

    /** LoadLimiter::is: blocked when the time used is above the limit. */
    isBlocked(key: string, nowSeconds: number, request?: RequestTimes): boolean {
        return this.used(key, nowSeconds, request) > this.limitSeconds;
    }

    /** getResetTime: expiry of the oldest live bucket, else first start of this request + 600 s. */
    resetAt(key: string, nowSeconds: number, request?: RequestTimes): number {
        const numBucket = Math.floor(nowSeconds / BUCKET_SECONDS);
        const buckets = this.buckets.get(key);
        if (buckets) {
            for (let i = BUCKET_COUNT - 1; i >= 0; i--) {
                const bucket = buckets.get(numBucket - i);
                if (bucket && bucket.time > 0 && bucket.expireAt > nowSeconds)
                    return Math.floor(bucket.expireAt);
            }
        }
        const start = request?.firstStart ?? nowSeconds;
        return Math.floor(start + BUCKET_COUNT * BUCKET_SECONDS);
    }

    /** LoadLimiter::finalize at the end of a request: record each method's total if above 0.1 s. */
    commit(request: RequestTimes, nowSeconds: number): void {
        const numBucket = Math.floor(nowSeconds / BUCKET_SECONDS);
        const firstStart = request.firstStart ?? nowSeconds;
        for (const [key, list] of request.spent) {
            const total = list.reduce((sum, seconds) => sum + seconds, 0);
            if (total <= MINIMAL_FIX_TIME) continue;
            let buckets = this.buckets.get(key);
            if (!buckets) {
                buckets = new Map();
                this.buckets.set(key, buckets);
            }
            const bucket = buckets.get(numBucket);
            if (bucket) bucket.time += total;
            else
                buckets.set(numBucket, { time: total, expireAt: firstStart + BUCKET_COUNT * BUCKET_SECONDS });
            for (const old of buckets.keys()) if (old <= numBucket - BUCKET_COUNT) buckets.delete(old);
        }
    }

    reset(): void {
        this.buckets.clear();
    }
}
