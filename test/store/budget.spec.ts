import assert from 'node:assert/strict';

import { PortalLimiter } from '../../dist/bitrix24';
import type { SharedStore } from '../../dist/bitrix24/storage/redis';
import { sleep, until, useRedis } from './use-store';

const PROFILE = { burst: 50, rps: 2 };

function sharedLimiter(store: SharedStore, host = 'budget.example'): PortalLimiter {
    const limiter = new PortalLimiter(PROFILE);
    limiter.share(store.limits(host, PROFILE));
    return limiter;
}

/** The operating budgets (docs/bitrix24.md §8) of a portal, shared by its instances. */
describe('store: shared operating budgets', () => {
    const { open } = useRedis();

    it("blocks a method on every instance when one instance's budget runs out", async () => {
        const [a, b] = await Promise.all([open('a'), open('b')]);
        const [here, there] = [sharedLimiter(a), sharedLimiter(b)];
        await sleep(100);
        here.budget.block('crm.deal.list', Date.now() + 5000);
        await until(() => there.budget.delay('crm.deal.list') > 4000, 2000);
        assert.equal(there.budget.delay('crm.item.list'), 0, 'another method was blocked too');
    });

    it('blocks a method on an instance that joins while the block holds', async () => {
        const a = await open('a');
        sharedLimiter(a).budget.block('crm.deal.list', Date.now() + 5000);
        await sleep(100);
        const late = sharedLimiter(await open('b'));
        await until(() => late.budget.delay('crm.deal.list') > 4000, 2000);
    });

    it('keeps the blocks of each portal apart', async () => {
        const [a, b] = await Promise.all([open('a'), open('b')]);
        const other = sharedLimiter(b, 'other.example');
        await sleep(100);
        sharedLimiter(a).budget.block('crm.deal.list', Date.now() + 5000);
        await sleep(300);
        assert.equal(other.budget.delay('crm.deal.list'), 0);
    });
});
