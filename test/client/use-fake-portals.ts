import type { Bitrix24Client } from '../../dist/bitrix24';
import { FakePortal } from '../helpers/fake-portal';

/** The fake portals of a test and the clients it made, which are closed after it. */
export interface FakePortals {
    portals: FakePortal[];
    clients: Bitrix24Client[];
}

/**
 * Registers hooks that start `count` fake portals before each test of the enclosing describe and,
 * after it, close every client pushed to `clients` and stop the portals.
 */
export function useFakePortals(count: number): FakePortals {
    const bench: FakePortals = { portals: [], clients: [] };
    beforeEach(async () => {
        bench.portals = await Promise.all(Array.from({ length: count }, () => new FakePortal().start()));
    });
    afterEach(async () => {
        await Promise.all(bench.clients.splice(0).map((client) => client.close(0)));
        await Promise.all(bench.portals.map((portal) => portal.stop()));
    });
    return bench;
}
