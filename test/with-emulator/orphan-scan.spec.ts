import assert from 'node:assert/strict';

import { Bitrix24Client, OfflineQueue } from '../../dist/bitrix24';
import { restCall } from '../../dist/demo/demo-emulator';
import type { Emulator } from '../../dist/emulator';
import { OrphanScan } from '../../dist/runtime/offline/orphan-scan';
import { ReservationRegistry, type ReservationOwner } from '../../dist/runtime/offline/reservations';
import { rowsQueued, startTimedEmulator } from '../helpers/emulator-flow';

/** A get node's side of the registry, holding whatever it is told to claim. */
function owner(): ReservationOwner {
    return {
        settling: () => undefined,
        settled: () => undefined,
        unsettled: () => undefined,
        remaining: () => [],
        queueOf: () => 'normal',
        loaded: Promise.resolve(),
    };
}

describe('OrphanScan (emulator)', () => {
    let emulator: Emulator;
    let client: InstanceType<typeof Bitrix24Client>;
    let registry: InstanceType<typeof ReservationRegistry>;
    let clock: number;

    const rest = (method: string, params: Record<string, unknown>) =>
        restCall<{ process_id?: string }>(emulator, method, params);

    /** Two deals changed and reserved by a get whose answer nobody kept: its process_id. */
    async function lostReservation(): Promise<string> {
        const before = emulator.control.counters().rowsQueued;
        for (const n of [1, 2]) {
            emulator.control.userChange({ entity: 'deal', action: 'add', fields: { title: `Deal ${n}` } });
        }
        await rowsQueued(emulator, before + 2); // written just after the answer (docs/bitrix24.md §15.2)
        const { result } = await rest('event.offline.get', { clear: 0, limit: 2 });
        assert.ok(result?.process_id, 'the emulator reserved the rows');
        return result.process_id;
    }

    beforeEach(async () => {
        emulator = await startTimedEmulator();
        await rest('event.bind', { event: 'ONCRMDEALADD', event_type: 'offline' });
        client = new Bitrix24Client({
            portalUrl: emulator.portalUrl,
            auth: { type: 'oauth', tokens: { accessToken: emulator.app.accessToken } },
            rateLimit: { burst: 50, rps: 100 },
        });
        registry = new ReservationRegistry();
        clock = 1_000_000;
    });

    afterEach(async () => {
        await client.close();
        await emulator.stop();
    });

    const scan = () => new OrphanScan({ errorQueue: false }, registry, () => clock);

    it('at start-up takes every reservation nobody in the runtime holds, with its message ids', async () => {
        const lost = await lostReservation();
        const held = await lostReservation();
        const node = owner();
        registry.join(node);
        registry.claim(held, node);

        const orphans = await scan().scan(new OfflineQueue(client));
        assert.deepEqual([...orphans.keys()], [lost]);
        assert.equal(orphans.get(lost)?.length, 2);
    });

    it('later takes a reservation only at its second sighting, so an answer on its way is left alone', async () => {
        const orphans = scan();
        const queue = new OfflineQueue(client);
        const lost = await lostReservation();

        assert.equal((await orphans.scan(queue, { confirmTwice: true })).size, 0);
        assert.deepEqual([...(await orphans.scan(queue, { confirmTwice: true })).keys()], [lost]);
    });

    it('is due at once after a lost answer or a first sighting, else once its interval is over', async () => {
        const orphans = scan();
        const queue = new OfflineQueue(client);
        await orphans.scan(queue, { confirmTwice: true });
        assert.equal(orphans.due(60_000), false, 'nothing seen, interval not over');

        orphans.suspectLostAnswer();
        assert.equal(orphans.due(60_000), true, 'a lost answer');

        const held = await lostReservation();
        await orphans.scan(queue, { confirmTwice: true });
        assert.equal(orphans.due(60_000), true, 'a first sighting is looked at again');

        const node = owner();
        registry.join(node);
        registry.claim(held, node);
        await orphans.scan(queue, { confirmTwice: true });
        assert.equal(orphans.due(60_000), false, 'its owner turned up: no suspicion left');
        clock += 60_000;
        assert.equal(orphans.due(60_000), true, 'the interval is over');
    });
});
