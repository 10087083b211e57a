import assert from 'node:assert/strict';

import { PortalLimiter } from '../../dist/bitrix24';

/** The status's queue reads wait at the limiter's lowest priority (issue 15). */
describe('status: a low-priority wait on the portal limiter', function () {
    it('lets every request that waits go first, and the bucket keep room', async function () {
        // A small bucket, fast: 20 at once (less the margin for the wire), then 50 a second.
        const limiter = new PortalLimiter({ burst: 20, rps: 50 });
        const order: string[] = [];
        const requests = Array.from({ length: 30 }, (_, i) =>
            limiter.acquire().then(() => order.push(`request ${i}`)),
        );
        const idle = limiter.whenIdle().then(() => order.push('status'));
        await Promise.all([...requests, idle]);
        assert.equal(order.at(-1), 'status');
        assert.equal(order.length, 31);
        assert.ok(limiter.bucket.counter.level + 2 <= 20);
    });

    it('resolves at once when nothing waits and the bucket is empty', async function () {
        const limiter = new PortalLimiter({ burst: 50, rps: 2 });
        const started = Date.now();
        await limiter.whenIdle();
        assert.ok(Date.now() - started < 100);
    });
});
