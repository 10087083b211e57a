import assert from 'node:assert/strict';

import { Bitrix24Client } from '../../dist/bitrix24';
import { startEmulator, type Emulator } from '../../dist/emulator';

type Item = Record<string, unknown>;

describe('client: a call merged into a batch means what it meant alone (docs/bitrix24.md §10)', () => {
    let emulator: Emulator;
    let client: Bitrix24Client;

    beforeEach(async () => {
        emulator = await startEmulator({});
        client = new Bitrix24Client({
            portalUrl: emulator.portalUrl,
            auth: { type: 'webhook', webhookUrl: emulator.webhookUrl },
            rateLimit: { burst: 50, rps: 100 },
        });
    });

    afterEach(async () => {
        await client.close();
        await emulator.stop();
    });

    async function addItem(title: string): Promise<number> {
        const { result } = await client.call<{ item: { id: number } }>('crm.item.add', {
            entityTypeId: 2,
            fields: { title },
        });
        return result.item.id;
    }

    async function getItem(id: number): Promise<Item> {
        const { result } = await client.call<{ item: Item }>('crm.item.get', { entityTypeId: 2, id });
        return result.item;
    }

    it('stores the same item for a crm.item.update with a boolean and a null, sent alone or made in the same moment as another call', async () => {
        const fields = { opened: false, isManualOpportunity: true, comments: null };
        const alone = await addItem('alone');
        const merged = await addItem('merged');
        const other = await addItem('other');
        await client.call('crm.item.update', { entityTypeId: 2, id: alone, fields });
        // Two calls in the same moment: the dispatcher may send them in one batch request.
        await Promise.all([
            client.call('crm.item.update', { entityTypeId: 2, id: merged, fields }),
            client.call('crm.item.update', { entityTypeId: 2, id: other, fields: { title: 'other 2' } }),
        ]);
        const [a, m] = await Promise.all([getItem(alone), getItem(merged)]);
        for (const key of ['opened', 'isManualOpportunity', 'comments']) {
            assert.deepEqual(
                m[key],
                a[key],
                `${key}: ${JSON.stringify(m[key])} merged, ${JSON.stringify(a[key])} alone`,
            );
        }
        assert.equal(a.opened, false);
    });

    it('still merges calls whose params are strings and numbers only', async () => {
        const [x, y] = [await addItem('x'), await addItem('y')];
        const before = client.stats.merged;
        await Promise.all([getItem(x), getItem(y)]);
        assert.equal(client.stats.merged - before, 1);
    });
});
