import assert from 'node:assert/strict';

import { SharedStore, type SharedStoreOptions } from '../../dist/bitrix24/storage/redis';
import { RedisServer } from '../helpers/redis-server';
import { sleep } from './use-store';

const PASSWORD = 'conn-spec-redis-password-31f';

describe('store: connecting', () => {
    let server: RedisServer;
    const stores: SharedStore[] = [];

    before(async () => {
        server = await RedisServer.start(PASSWORD);
    });
    after(async () => {
        await server.stop();
    });
    afterEach(async () => {
        await Promise.all(stores.splice(0).map((store) => store.close()));
    });

    function open(extra: Partial<SharedStoreOptions>): SharedStore {
        const store = SharedStore.open({
            url: server.url,
            prefix: 'b24:',
            instance: 'a',
            leaseSeconds: 15,
            ...extra,
        });
        stores.push(store);
        return store;
    }

    it('connects with the password credential', async () => {
        const store = open({ password: PASSWORD });
        await store.whenUp();
        assert.equal(await store.bucket('p.example', { burst: 50, rps: 2 }).reserve(), 0);
    });

    it('stays down with a wrong password and says STORE_UNREACHABLE without the password', async () => {
        const store = open({ password: 'not-the-password' });
        await sleep(500);
        assert.equal(store.available, false);
        await assert.rejects(store.bucket('p.example', { burst: 50, rps: 2 }).reserve(), (err: Error) => {
            assert.equal((err as Error & { code: string }).code, 'STORE_UNREACHABLE');
            assert.ok(!err.message.includes('not-the-password'));
            return true;
        });
    });

    for (const [name, options, argument] of [
        ['a URL that is not redis:// or rediss://', { url: 'http://127.0.0.1:6379' }, 'url'],
        ['no instance name', { instance: '' }, 'instance'],
        ['a lease of 0 seconds', { leaseSeconds: 0 }, 'leaseSeconds'],
    ] as const) {
        it(`refuses ${name}, saying which option to fix`, () => {
            assert.throws(() => open(options), { code: 'INVALID_CONFIG', argument });
        });
    }
});
