import type { Node } from 'node-red';

import type { Ledger } from '../../runtime/offline/ledger';
import type { OfflineReader } from '../../runtime/offline/reader';
import { drainResource } from '../../runtime/store/coordination';
import { SharedDrain } from '../../runtime/store/shared-drain';
import type { FlowNodeSetup } from './flow-node';
import { storeStatus } from './store-node';

/**
 * A reserving get node's part in "one drainer per portal" when its portal has a store (design
 * "Several Node-RED instances"); undefined without one. `reader` and `ledger` are asked for
 * late: the reader is built with this drain as its gate.
 */
export function sharedDrainOf(
    node: Node,
    setup: FlowNodeSetup,
    reader: () => OfflineReader,
    ledger: () => Ledger,
): SharedDrain | undefined {
    const store = setup.portal.sharedStore?.();
    if (!store) return undefined;
    const { badge, text } = setup;
    const drain: SharedDrain = new SharedDrain(
        store,
        node.id,
        drainResource(setup.portal.connection.host, node.id),
        {
            drain: () =>
                void reader()
                    .read()
                    .catch((err: unknown) => setup.warn(err)),
            adopt: (entries) => reader().adopt(entries),
            changed: () => {
                if (!store.available) badge.show('red', 'ring', storeStatus('unreachable'));
                else if (!drain.open) badge.show('grey', 'ring', storeStatus('standby'));
                else badge.show('green', 'dot', text('idle'));
            },
            // A Redis that restarted empty lost this instance's ledger: what it holds is written again.
            storeBack: () =>
                void ledger()
                    .record()
                    .catch(() => undefined),
            warn: (err) => setup.warn(err),
        },
    );
    return drain;
}
