import assert from 'node:assert/strict';

import type { Redis } from 'ioredis';

import { useRedis } from './use-store';

const ACCESS = 'doc-spec-access-token-5b1e9';
const REFRESH = 'doc-spec-refresh-token-77ac0';

/** Every key under `prefix` with everything it holds, as text. */
async function dump(redis: Redis, prefix: string): Promise<string> {
    const keys = await redis.keys(`${prefix}*`);
    const parts: string[] = [];
    for (const key of keys) {
        const type = await redis.type(key);
        if (type === 'string') parts.push(key, (await redis.get(key)) ?? '');
        if (type === 'hash') parts.push(key, JSON.stringify(await redis.hgetall(key)));
        if (type === 'zset') parts.push(key, JSON.stringify(await redis.zrange(key, 0, -1)));
    }
    return parts.join('\n');
}

describe('store: documents', () => {
    const { open, server } = useRedis();

    it('reads back what was written, and nothing once removed', async () => {
        const store = await open('a');
        const ledger = store.documents.document<{ rows: number[] }>('ledger-n1-m1');
        assert.equal(await ledger.read(), undefined);
        await ledger.write({ rows: [1, 2] });
        assert.deepEqual(await (await open('b')).documents.document('ledger-n1-m1').read(), { rows: [1, 2] });
        await ledger.remove();
        assert.equal(await ledger.read(), undefined);
    });

    it('names the stored documents that start with a prefix', async () => {
        const store = await open('a');
        for (const name of ['ledger-a', 'ledger-b', 'doorbell-a'])
            await store.documents.document(name).write(1);
        assert.deepEqual((await store.documents.names('ledger-')).sort(), ['ledger-a', 'ledger-b']);
    });

    it('keeps no token in the clear under the prefix', async () => {
        const store = await open('a');
        await store.documents
            .document('installation-m1')
            .write({ accessToken: ACCESS, refreshToken: REFRESH });
        await store.tokens('m1').write({ accessToken: ACCESS, refreshToken: REFRESH, basis: '', savedAt: 1 });
        await store.leases.acquire('m1');
        const admin = server().client();
        try {
            const everything = await dump(admin, 'b24:');
            assert.ok(everything.includes('b24:tokens:m1'), 'the pair was not written');
            assert.ok(!everything.includes(ACCESS) && !everything.includes(REFRESH), 'a token in the clear');
        } finally {
            admin.disconnect();
        }
    });

    it('says that the secrets differ when a document was sealed under another one', async () => {
        await (await open('a')).documents.document('installation-m1').write({ accessToken: ACCESS });
        const other = await open('b', { secret: 'another secret' });
        await assert.rejects(other.documents.document('installation-m1').read(), {
            code: 'INVALID_CONFIG',
            argument: 'secret',
        });
    });
});
