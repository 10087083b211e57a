import assert from 'node:assert/strict';

import { PortalLimiter } from '../../dist/bitrix24';
import { ok } from '../helpers/fake-portal';
import type { RedisServer } from '../helpers/redis-server';
import { useFakePortals, webhookAuth } from '../helpers/use-fake-portals';
import { useRedis } from './use-store';

/** The target: at most 2 Redis round trips per REST request on the happy path. */
describe('store: Redis round trips per request', () => {
    const { open, server } = useRedis();
    const { connect, portal } = useFakePortals('portal');

    async function commandsDuring(redis: RedisServer, work: () => Promise<void>): Promise<number> {
        const watch = await redis.watchCommands();
        await work();
        return (await watch.stop()).length;
    }

    it('books a slot of the shared bucket with one command', async () => {
        const bucket = (await open('a')).bucket('p.example', { burst: 500, rps: 100 });
        await bucket.reserve();
        const commands = await commandsDuring(server(), async () => {
            for (let i = 0; i < 100; i++) await bucket.reserve();
        });
        assert.equal(commands, 100);
    });

    it('costs a shared limiter one command per request even when the bucket makes it wait', async () => {
        // Burst 2 at 20 per second: all but the first request or two wait for their slot.
        const profile = { burst: 2, rps: 20 };
        const limiter = new PortalLimiter(profile);
        limiter.share((await open('a')).limits('throttled.example', profile));
        let throttled = 0;
        limiter.on('throttled', () => throttled++);
        const commands = await commandsDuring(server(), async () => {
            await Promise.all(Array.from({ length: 10 }, () => limiter.acquire()));
        });
        assert.ok(throttled >= 8, `only ${throttled} requests waited`);
        assert.equal(commands, 10);
    });

    it('costs a REST call through a client with shared limits at most two commands', async () => {
        portal().on('profile', () => ok({ ID: '1' }));
        const store = await open('a');
        const profile = { burst: 500, rps: 100 };
        const client = connect(portal(), webhookAuth(portal(), 'rt-secret'), {
            rateLimit: profile,
            mergeCalls: false,
            sharedLimits: store.limits(new URL(portal().url).host, profile),
        });
        await client.call('profile');
        const commands = await commandsDuring(server(), async () => {
            for (let i = 0; i < 50; i++) await client.call('profile');
        });
        assert.ok(commands >= 50, `${commands} commands: the limiter did not use the store`);
        assert.ok(commands <= 100, `${commands} commands for 50 requests`);
    });
});
