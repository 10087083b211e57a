import { SharedStore, type SharedStoreOptions } from '../../dist/bitrix24/storage/redis';
import { RedisServer } from '../helpers/redis-server';

export const SECRET = 'store-spec-shared-secret';

/**
 * Registers hooks that start a real redis-server before each test of the enclosing describe and,
 * after it, close every store `open` made and stop the server.
 */
export function useRedis(): {
    server: () => RedisServer;
    open: (instance: string, extra?: Partial<SharedStoreOptions>) => Promise<SharedStore>;
} {
    let server: RedisServer | undefined;
    const stores: SharedStore[] = [];
    beforeEach(async () => {
        server = await RedisServer.start();
    });
    afterEach(async () => {
        await Promise.all(stores.splice(0).map((store) => store.close()));
        await server?.stop();
        server = undefined;
    });
    const current = () => {
        if (!server) throw new Error('no redis-server outside a test');
        return server;
    };
    return {
        server: current,
        open: async (instance, extra = {}) => {
            const store = SharedStore.open({
                url: current().url,
                prefix: 'b24:',
                instance,
                leaseSeconds: 15,
                secret: SECRET,
                ...extra,
            });
            stores.push(store);
            await store.whenUp();
            return store;
        },
    };
}

export { sleep, until } from '../../dist/demo/wait';
