import assert from 'node:assert/strict';

import { PortalLimiter } from '../../dist/bitrix24';
import type { SharedStore } from '../../dist/bitrix24/storage/redis';
import { sleep, until, useRedis } from './use-store';

const STANDARD = { burst: 50, rps: 2 };
const RUN_MS = 4000;

/**
 * Books slots in `store`'s bucket for `host` until `endAt`, each sent when its time comes
 * without asking again; the times they went. A slot booked past `endAt` is left unused.
 */
async function drive(store: SharedStore, host: string, endAt: number): Promise<number[]> {
    const bucket = store.bucket(host, STANDARD);
    const sent: number[] = [];
    while (Date.now() < endAt) {
        const waitMs = await bucket.reserve();
        if (Date.now() + waitMs >= endAt) break;
        if (waitMs > 0) await sleep(waitMs);
        sent.push(Date.now());
    }
    return sent;
}

/** The most slots any moment saw beyond what burst + rps * t allows (t from `start`). */
function worstExcess(times: number[], start: number): number {
    let worst = -Infinity;
    times
        .sort((a, b) => a - b)
        .forEach((at, i) => {
            worst = Math.max(worst, i + 1 - (STANDARD.burst + (STANDARD.rps * (at - start)) / 1000));
        });
    return worst;
}

describe('store: the shared leaky bucket', function () {
    this.timeout(20_000);
    const { open } = useRedis();

    it('lets three instances together send no more than burst + rps * t, and about that many', async () => {
        const stores = await Promise.all(['a', 'b', 'c'].map((name) => open(name)));
        const start = Date.now();
        const runs = await Promise.all(stores.map((store) => drive(store, 'portal.example', start + RUN_MS)));
        const all = runs.flat();
        assert.ok(
            worstExcess(all, start) <= 0,
            `more than the portal allows: excess ${worstExcess(all, start)}`,
        );
        // The bucket's margin keeps 0.2 of a request in reserve; nothing more is wasted.
        const allowed = STANDARD.burst + (STANDARD.rps * RUN_MS) / 1000;
        assert.ok(all.length >= allowed - 2, `${all.length} of ${allowed} taken`);
        assert.ok(
            runs.every((run) => run.length > 0),
            'an instance never got a slot',
        );
    });

    it('keeps each portal host in its own bucket', async () => {
        const store = await open('a');
        const first = store.bucket('one.example', { burst: 3, rps: 1 });
        const second = store.bucket('two.example', { burst: 3, rps: 1 });
        const takes = [
            await first.reserve(),
            await first.reserve(),
            await first.reserve(),
            await second.reserve(),
        ];
        assert.deepEqual(takes.slice(0, 2), [0, 0]);
        assert.ok(takes[2] > 0, 'the third take fits a burst of 3 with a margin');
        assert.equal(takes[3], 0);
    });

    it('books a slot even when it must wait, so the next booking waits one request longer', async () => {
        const bucket = (await open('a')).bucket('booked.example', { burst: 3, rps: 1 });
        const waits = [
            await bucket.reserve(),
            await bucket.reserve(),
            await bucket.reserve(),
            await bucket.reserve(),
        ];
        // Burst 3 with 0.1 of a request kept as margin: the third waits 100 ms, the fourth 1.1 s.
        assert.deepEqual(waits.slice(0, 2), [0, 0]);
        assert.ok(waits[2] > 50 && waits[2] <= 100, `the third waits ${waits[2]} ms`);
        assert.ok(
            waits[3] - waits[2] > 950 && waits[3] - waits[2] <= 1000,
            `the fourth waits ${waits[3]} ms`,
        );
    });

    it('answers a fill with a wait of about one request at the drain rate', async () => {
        const store = await open('a');
        const bucket = store.bucket('full.example', STANDARD);
        await bucket.fill();
        const waitMs = await bucket.reserve();
        // Full at 50: one more fits when 1 + margin (0.2) has drained at 2 per second: 600 ms.
        assert.ok(waitMs > 500 && waitMs <= 600, `waits ${waitMs} ms`);
    });

    it("makes every instance wait when one instance's request met the portal's 503", async () => {
        const [a, b] = await Promise.all([open('a'), open('b')]);
        const limiter = new PortalLimiter(STANDARD);
        limiter.share(a.limits('busy.example', STANDARD));
        limiter.fill();
        await until(async () => (await b.bucket('busy.example', STANDARD).reserve()) > 500, 2000);
    });

    it('makes a shared limiter waiting for a booked slot book again after a 503', async () => {
        // Burst 2 at 2 per second, 0.2 kept as margin: the second request waits 100 ms, the third
        // is booked 500 ms after it.
        const profile = { burst: 2, rps: 2 };
        const limiter = new PortalLimiter(profile);
        limiter.share((await open('a')).limits('refused.example', profile));
        await limiter.acquire();
        await limiter.acquire();
        const started = Date.now();
        const third = limiter.acquire().then(() => Date.now() - started);
        await sleep(50);
        limiter.fill();
        // At the 503 the level is 2.7, the dropped booking counted: the new booking waits
        // (2.7 + 1 + 0.2 - 2) / 2 s = 950 ms, about 1 s in all instead of 500 ms.
        const waited = await third;
        assert.ok(waited >= 900, `the third request went after ${waited} ms`);
    });

    it('serves a shared limiter whose requests come one after another', async () => {
        const profile = { burst: 100, rps: 100 };
        const limiter = new PortalLimiter(profile);
        limiter.share((await open('a')).limits('sequential.example', profile));
        for (let i = 0; i < 20; i++) await limiter.acquire();
    });

    it('paces two limiters of different processes sharing one bucket as one limiter', async () => {
        const profile = { burst: 5, rps: 5 };
        const stores = await Promise.all(['a', 'b'].map((name) => open(name)));
        const limiters = stores.map((store) => {
            const limiter = new PortalLimiter(profile);
            limiter.share(store.limits('paced.example', profile));
            return limiter;
        });
        const start = Date.now();
        const times: number[] = [];
        await Promise.all(
            limiters.flatMap((limiter) =>
                Array.from({ length: 10 }, () => limiter.acquire().then(() => times.push(Date.now()))),
            ),
        );
        // 20 requests, 5 at once and then 5 a second (0.5 of a request kept as margin): over 3 s.
        const elapsed = Date.now() - start;
        assert.ok(elapsed >= 3000, `20 requests in ${elapsed} ms`);
        times.sort((a, b) => a - b);
        times.forEach((at, i) =>
            assert.ok(i + 1 <= 5 + (5 * (at - start)) / 1000, `request ${i + 1} too early`),
        );
    });
});
