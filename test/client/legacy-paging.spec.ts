import assert from 'node:assert/strict';

import { Bitrix24Client, OfflineQueue, type OfflineRow } from '../../dist/bitrix24';
import { FakePortal, ok } from '../helpers/fake-portal';

const ROWS = 120;

function row(i: number): OfflineRow {
    return {
        ID: String(i + 1),
        TIMESTAMP_X: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
        EVENT_NAME: 'ONCRMDEALUPDATE',
        EVENT_DATA: { FIELDS: { ID: i + 1 } },
        EVENT_ADDITIONAL: { user_id: '1' },
        MESSAGE_ID: (i + 1).toString(16).padStart(32, '0'),
        PROCESS_ID: '',
        ERROR: '0',
    };
}

/**
 * event.offline.list of a self-hosted build that counts no total (docs/bitrix24.md §15): pages of
 * 50 rows, `total` 0 and no `next`.
 */
describe('client: paging on builds that send no next and total 0', () => {
    let portal: FakePortal;
    let client: Bitrix24Client;
    let queue: OfflineQueue;

    beforeEach(async () => {
        portal = await new FakePortal().start();
        const rows = Array.from({ length: ROWS }, (_, i) => row(i));
        portal.withBatch().on('event.offline.list', (req) => {
            const start = Number(req.body.start ?? 0);
            return ok(rows.slice(start, start + 50), { total: 0 });
        });
        client = new Bitrix24Client({
            portalUrl: portal.url,
            auth: {
                type: 'oauth',
                clientId: 'local.paging',
                clientSecret: 'paging-secret',
                oauthServer: portal.url,
                tokens: { accessToken: 'paging-access', refreshToken: 'paging-refresh' },
            },
            rateLimit: { burst: 50, rps: 100 },
        });
        queue = new OfflineQueue(client);
    });

    afterEach(async () => {
        await client.close();
        await portal.stop();
    });

    it('reads every row for the list node and the orphan scan, following full pages until a short one', async () => {
        const rows = await queue.listAll();
        assert.equal(rows.length, ROWS);
        assert.deepEqual(
            rows.map((r) => r.ID),
            Array.from({ length: ROWS }, (_, i) => String(i + 1)),
        );
    });

    it('counts every row in the queue stats', async () => {
        const stats = await queue.stats();
        assert.equal(stats.backlog, ROWS);
        assert.equal(stats.oldestTimestamp, row(0).TIMESTAMP_X);
    });

    it('gives a full page a next start, and the short last page none', async () => {
        const first = await queue.list({ start: 0 });
        assert.equal(first.next, 50);
        const last = await queue.list({ start: 100 });
        assert.equal(last.rows.length, 20);
        assert.equal(last.next, undefined);
        assert.equal(last.total, ROWS);
    });
});
