import { bindOffline } from '../../dist/demo/demo-emulator';
import { sleep } from '../../dist/demo/wait';
import { startEmulator } from '../../dist/emulator';
import { Cluster } from './cluster';
import { DeliverySink } from './delivery-sink';
import { addChanges, NAMES, switches, TOKEN_TTL_SECONDS } from './scenario';
import { scaleFlow } from './scale-flow';

/** What the same three instances do without a store. */
export interface ControlRun {
    changes: number;
    seconds: number;
    delivered: number;
    duplicates: number;
    status503: number;
    refreshes: number;
    invalidGrant: number;
    drainerSwitches: number;
}

/**
 * The control: the same flow on three instances with no store, briefly. Each keeps its own
 * bucket, refreshes the one token chain by itself and reads the same queue.
 */
export async function runWithoutStore(changes = 600, seconds = TOKEN_TTL_SECONDS + 15): Promise<ControlRun> {
    const emulator = await startEmulator({ limits: 'on', accessTokenTtlSeconds: TOKEN_TTL_SECONDS });
    const sink = await DeliverySink.start();
    sink.delayMs = 150;
    let cluster: Cluster | undefined;
    try {
        await bindOffline(emulator, 'ONCRMDEALADD');
        cluster = await Cluster.start(NAMES, {});
        await cluster.deploy(scaleFlow({ emulator, sinkUrl: sink.url }));
        const perSecond = Math.ceil(changes / seconds);
        for (let second = 0, added = 0; second < seconds; second++) {
            const now = Math.min(perSecond, changes - added);
            addChanges(emulator, added, now);
            added += now;
            await sleep(1000);
        }
        const counters = emulator.control.counters();
        return {
            changes,
            seconds,
            delivered: sink.delivered().size,
            duplicates: sink.duplicates(),
            status503: counters.status503,
            refreshes: counters.refreshes,
            invalidGrant: cluster.lines(/invalid_grant|already used/).length,
            drainerSwitches: switches(sink),
        };
    } finally {
        await cluster?.stop();
        await sink.close();
        await emulator.stop();
    }
}
