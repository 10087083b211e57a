import assert from 'node:assert/strict';

import { PortalLimiter, type Bitrix24Error } from '../../dist/bitrix24';
import type { StoreState } from '../../dist/bitrix24/storage/redis';
import { until, useRedis } from './use-store';

const TIMEOUT_MS = 300;

/** How long `operation` took to fail, and with what. */
async function failure(operation: () => Promise<unknown>): Promise<{ error: Bitrix24Error; ms: number }> {
    const started = Date.now();
    const error = (await operation().then(
        () => assert.fail('it did not fail'),
        (err: unknown) => err,
    )) as Bitrix24Error;
    return { error, ms: Date.now() - started };
}

describe('store: Redis down, slow, or back empty', function () {
    this.timeout(20_000);
    const { open, server } = useRedis();

    it('rejects with STORE_UNREACHABLE within the command timeout when Redis is killed', async () => {
        const store = await open('a', { commandTimeoutMs: TIMEOUT_MS });
        await server().kill();
        const { error, ms } = await failure(() => store.bucket('p.example', { burst: 50, rps: 2 }).reserve());
        assert.equal(error.code, 'STORE_UNREACHABLE');
        assert.equal(error.retryable, true);
        assert.ok(ms <= TIMEOUT_MS + 100, `failed after ${ms} ms`);
    });

    it('rejects with STORE_UNREACHABLE within the command timeout when Redis hangs', async () => {
        const store = await open('a', { commandTimeoutMs: TIMEOUT_MS });
        server().pause();
        try {
            const { error, ms } = await failure(() => store.documents.document('ledger-x').read());
            assert.equal(error.code, 'STORE_UNREACHABLE');
            assert.ok(ms <= TIMEOUT_MS + 100, `failed after ${ms} ms`);
        } finally {
            server().resume();
        }
    });

    it('lets a shared limiter go on by its own count while Redis is away', async () => {
        const store = await open('a', { commandTimeoutMs: TIMEOUT_MS });
        const profile = { burst: 50, rps: 2 };
        const limiter = new PortalLimiter(profile);
        limiter.share(store.limits('away.example', profile));
        await server().kill();
        const started = Date.now();
        for (let i = 0; i < 3; i++) await limiter.acquire();
        assert.ok(Date.now() - started <= 3 * (TIMEOUT_MS + 100), 'the limiter waited on Redis');
    });

    it('says down when Redis goes and up when it is back, and works again without reopening', async () => {
        const store = await open('a', { commandTimeoutMs: TIMEOUT_MS });
        const states: StoreState[] = [];
        store.on('state', (state) => states.push(state));
        await server().kill();
        await until(() => states.includes('down'), 5000);
        assert.equal(store.available, false);
        await server().restart();
        await until(() => store.available, 10_000);
        assert.equal(await store.bucket('p.example', { burst: 50, rps: 2 }).reserve(), 0);
        assert.deepEqual(states, ['down', 'up']);
    });

    it('takes its leases again after Redis restarted empty', async () => {
        const store = await open('a', { leaseSeconds: 1 });
        store.leases.want('p1');
        await store.leases.beat();
        await server().kill();
        await server().restart();
        const fresh = await open('b', { leaseSeconds: 1 });
        await until(async () => (await fresh.leases.owner('p1').catch(() => undefined)) === 'a', 10_000);
    });

    it('counts its leases as lost once Redis has been away for leaseSeconds', async () => {
        const store = await open('a', { leaseSeconds: 1 });
        await store.leases.acquire('p1');
        const lost: string[] = [];
        store.leases.on('lost', (resource) => lost.push(resource));
        await server().kill();
        await until(() => lost.length > 0, 5000);
        assert.deepEqual(store.leases.owned(), []);
        assert.deepEqual(lost, ['p1']);
    });

    it('hears wake-ups again after Redis came back', async () => {
        const [a, b] = await Promise.all([open('a'), open('b')]);
        let woken = 0;
        b.onWake('p1', () => (woken += 1));
        await server().kill();
        await server().restart();
        await until(() => a.available && b.available, 10_000);
        await until(async () => {
            await a.wake('p1').catch(() => undefined);
            return woken > 0;
        }, 5000);
    });
});
