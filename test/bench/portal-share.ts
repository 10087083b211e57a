import { APP_NODE_ID, installUrl } from '../../dist/demo/multi-portal-flow';
import { sleep, until } from '../../dist/demo/wait';
import { startEmulatorFarm } from '../../dist/emulator';
import { RedisServer } from '../helpers/redis-server';
import { Cluster } from '../scale/cluster';
import { NAMES } from '../scale/scenario';
import { sharedAppFlow } from '../scale-many/many-portals-run';

/** Installation POSTs in flight at once. */
const INSTALLERS = 10;

export interface PortalShare {
    portals: number;
    instances: number;
    leaseSeconds: number;
    /** Seconds until every instance listed every installation. */
    installSeconds: number;
    /** Seconds from then until the lease counts stopped changing. */
    settleSeconds: number;
    /** Leases each instance holds once settled. */
    leases: Record<string, number>;
    /** The same as a share of the portals, in %. */
    share: Record<string, number>;
    unowned: number;
}

/**
 * "1,000 portals on 3 instances: share of portals per instance": one application installed on a
 * farm of `portals` portals through the first instance's install URL, three Node-RED processes on
 * one Redis; counts the drain leases (`<get node>:<memberId>`) each instance holds once they settle.
 */
export async function portalShare(portals: number, leaseSeconds: number): Promise<PortalShare> {
    const redis = await RedisServer.start();
    const farm = await startEmulatorFarm({ portals, limits: 'on' });
    let cluster: Cluster | undefined;
    try {
        cluster = await Cluster.start(NAMES, { REDIS_URL: redis.url });
        const front = cluster.instances[0].runtime.url;
        const flow = sharedAppFlow(farm, front, `${front}/no-sink`);
        // No delivery report here, and leases as the bench asks.
        for (const node of flow) if (node.type === 'bitrix24-store') node.leaseSeconds = leaseSeconds;
        await cluster.deploy(flow.filter((node) => node.id !== 'report'));
        const started = Date.now();
        let next = 0;
        const installer = async () => {
            while (next < farm.portals.length) {
                const portal = farm.portals[next++];
                let { status } = await portal.install(installUrl(front));
                // The install URL lets 20 a second through after a burst of 60 (InstallGate): wait, as a portal retries.
                while (status === 429) {
                    await sleep(250);
                    ({ status } = await portal.install(installUrl(front)));
                }
                if (status !== 200)
                    throw new Error(`the installation on ${portal.domain} answered ${status}`);
            }
        };
        await Promise.all(Array.from({ length: INSTALLERS }, installer));
        const listedOn = async (url: string) => {
            const response = await fetch(`${url}/bitrix24/portal/${APP_NODE_ID}/installations`);
            if (!response.ok) return 0;
            return ((await response.json()) as { installations?: unknown[] }).installations?.length ?? 0;
        };
        await until(
            async () =>
                (await Promise.all(cluster!.instances.map((i) => listedOn(i.runtime.url)))).every(
                    (n) => n === portals,
                ),
            900_000,
            'every instance to list every installation',
        );
        const installSeconds = (Date.now() - started) / 1000;
        const settleFrom = Date.now();
        const client = redis.client();
        let counts: Record<string, number> = {};
        let unowned = portals;
        try {
            const keys = farm.portals.map((p) => `b24:lease:get:${p.memberId}`);
            let previous = '';
            let stable = 0;
            // Settled: the same counts on three samples a lease time apart, every lease owned.
            while (stable < 2 && Date.now() - settleFrom < 600_000) {
                await sleep(leaseSeconds * 1000);
                const owners = await client.mget(...keys);
                counts = {};
                for (const owner of owners) if (owner) counts[owner] = (counts[owner] ?? 0) + 1;
                unowned = owners.filter((owner) => !owner).length;
                const now = JSON.stringify(counts);
                stable = now === previous && unowned === 0 ? stable + 1 : 0;
                previous = now;
            }
        } finally {
            client.disconnect();
        }
        const share: Record<string, number> = {};
        for (const [name, n] of Object.entries(counts)) share[name] = Math.round((n / portals) * 1000) / 10;
        return {
            portals,
            instances: NAMES.length,
            leaseSeconds,
            installSeconds: Math.round(installSeconds),
            settleSeconds: Math.round((Date.now() - settleFrom) / 1000),
            leases: counts,
            share,
            unowned,
        };
    } finally {
        await cluster?.stop();
        await farm.stop();
        await redis.stop();
    }
}

if (require.main === module) {
    const portals = Number(process.argv[2] ?? 1000);
    void portalShare(portals, Number(process.argv[3] ?? 15)).then(
        (figures) => console.log(JSON.stringify(figures, null, 2)),
        (err: unknown) => {
            console.error(err);
            process.exitCode = 1;
        },
    );
}
