import http from 'node:http';

import { installUrl, multiPortalFlow, APP_NODE_ID } from '../../dist/demo/multi-portal-flow';
import { listenLocally } from '../../dist/demo/local-server';
import { until } from '../../dist/demo/wait';
import { startEmulatorFarm, type EmulatorFarm } from '../../dist/emulator';
import { CONTRACT } from '../editor/editor-files';
import { RedisServer } from '../helpers/redis-server';
import { Cluster } from '../scale/cluster';
import type { FlowNode } from '../scale/scale-flow';

export const NAMES = ['alpha', 'bravo', 'charlie'];
/** Shorter than the node's default 15 s, so that the takeover fits a CI run. */
export const LEASE_SECONDS = 5;
const PREFIX = 'b24:';

/** One delivered batch, as the flow reports it. */
interface Delivery {
    instance: string;
    memberId: string;
    ids: string[];
}

/** What the run measured, for the spec and the benchmark. */
export interface ManyPortalsRun {
    portals: number;
    /** How many installations each instance lists. */
    listed: Record<string, number>;
    changes: number;
    /** Distinct portal + object pairs delivered. */
    delivered: number;
    /** Rows left in the portals' queues at the end. */
    queueRows: number;
    status503: number;
    /** Leases each instance held once they settled, before the kill. */
    leases: Record<string, number>;
    /** Portals whose first deliveries before the kill came from the instance that holds their lease. */
    deliveredByOwner: number;
    killed: string;
    /** From the SIGKILL until every lease the killed instance held belongs to a live one. */
    takeoverMs: number;
    /** After one portal uninstalled the application (its ONAPPUNINSTALL reaches the first instance): what each live instance lists. */
    listedAfterUninstall: Record<string, number>;
    wallSeconds: number;
}

/** The multi-portal flow on every instance, with its application on a shared store. */
export function sharedAppFlow(farm: EmulatorFarm, publicUrl: string, sinkUrl: string): FlowNode[] {
    const flow = multiPortalFlow({
        oauthServer: farm.oauthServer,
        app: farm.app,
        publicUrl,
        sinkUrl,
        event: 'ONCRMDEALADD',
        minTimeout: 1,
        pollInterval: 5,
    }) as FlowNode[];
    for (const node of flow) {
        if (node.id === APP_NODE_ID) node.store = 'store';
        // The report names the instance that delivered the batch.
        if (node.id === 'timestamp')
            node.func = String(node.func).replace(
                '{ memberId:',
                "{ instance: env.get('B24_INSTANCE'), memberId:",
            );
    }
    flow.push({
        id: 'store',
        type: 'bitrix24-store',
        ...CONTRACT['bitrix24-store'],
        name: 'shared store',
        leaseSeconds: LEASE_SECONDS,
        instance: 'B24_INSTANCE',
        instanceType: 'env',
    });
    return flow;
}

/** Lease owner of each installation's drain (`<get node>:<memberId>`), read from Redis. */
export async function leaseOwners(redis: RedisServer, farm: EmulatorFarm): Promise<Map<string, string>> {
    const client = redis.client();
    try {
        const owners = new Map<string, string>();
        for (const portal of farm.portals) {
            const owner = await client.get(`${PREFIX}lease:get:${portal.memberId}`);
            if (owner) owners.set(portal.memberId, owner);
        }
        return owners;
    } finally {
        client.disconnect();
    }
}

function addDeals(farm: EmulatorFarm, perPortal: number, round: number): number {
    for (const portal of farm.portals)
        for (let i = 0; i < perPortal; i++)
            portal.control.userChange({ entity: 'deal', action: 'add', fields: { title: `R${round} ${i}` } });
    return farm.portals.length * perPortal;
}

function count(values: Iterable<string>): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
    return counts;
}

/**
 * One application installed on `portals` emulated portals through one instance's install URL,
 * three Node-RED processes sharing one Redis; deals added on every portal, one instance (not the
 * one the portals ring) SIGKILLed, more deals added.
 */
export async function runManyPortals(portals = 12, dealsPerPortal = 10): Promise<ManyPortalsRun> {
    const started = Date.now();
    const redis = await RedisServer.start();
    const farm = await startEmulatorFarm({ portals, limits: 'on' });
    const deliveries: Delivery[] = [];
    const sink = await listenLocally(
        http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on('data', (chunk: Buffer) => chunks.push(chunk));
            req.on('end', () => {
                deliveries.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Delivery);
                res.end('ok');
            });
        }),
    );
    let cluster: Cluster | undefined;
    try {
        cluster = await Cluster.start(NAMES, { REDIS_URL: redis.url });
        // The portals reach the first instance (as through a load balancer that sends them there).
        const front = cluster.instances[0].runtime.url;
        await cluster.deploy(sharedAppFlow(farm, front, `${sink.url}/deliver`));
        for (const portal of farm.portals) {
            const { status } = await portal.install(installUrl(front));
            if (status !== 200) throw new Error(`the installation on ${portal.domain} answered ${status}`);
        }
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
            30_000,
            'every instance to list every installation',
        );
        const listed: Record<string, number> = {};
        for (const instance of cluster.instances)
            listed[instance.name] = await listedOn(instance.runtime.url);

        const fairShare = Math.ceil(portals / NAMES.length);
        const settled = async () => {
            const owners = await leaseOwners(redis, farm);
            const counts = Object.values(count(owners.values()));
            return (
                owners.size === portals &&
                counts.length === NAMES.length &&
                counts.every((n) => n <= fairShare)
            );
        };
        await until(settled, (LEASE_SECONDS + 20) * 1000, 'the leases to settle');
        const ownersBefore = await leaseOwners(redis, farm);

        const key = (memberId: string, id: string) => `${memberId}/${id}`;
        const deliveredKeys = () =>
            new Set(deliveries.flatMap((d) => d.ids.map((id) => key(d.memberId, id))));
        const queueRows = () => farm.portals.reduce((sum, p) => sum + p.control.counters().queue.rows, 0);
        let changes = addDeals(farm, dealsPerPortal, 1);
        await until(() => deliveredKeys().size >= changes && queueRows() === 0, 60_000, 'the first round');
        const firstDeliverer = new Map<string, string>();
        for (const d of deliveries)
            if (!firstDeliverer.has(d.memberId)) firstDeliverer.set(d.memberId, d.instance);
        const deliveredByOwner = [...firstDeliverer].filter(([m, i]) => ownersBefore.get(m) === i).length;

        const killed = NAMES[2];
        const orphaned = [...ownersBefore]
            .filter(([, owner]) => owner === killed)
            .map(([memberId]) => memberId);
        await cluster.kill(killed);
        const killedAt = Date.now();
        changes += addDeals(farm, dealsPerPortal, 2);
        await until(
            async () => {
                const owners = await leaseOwners(redis, farm);
                return orphaned.every((m) => owners.has(m) && owners.get(m) !== killed);
            },
            (LEASE_SECONDS + 30) * 1000,
            "the killed instance's portals to be taken over",
        );
        const takeoverMs = Date.now() - killedAt;
        await until(() => deliveredKeys().size >= changes && queueRows() === 0, 90_000, 'the second round');

        await farm.portals[0].uninstall();
        const live = cluster.live();
        await until(
            async () =>
                (await Promise.all(live.map((i) => listedOn(i.runtime.url)))).every((n) => n === portals - 1),
            (LEASE_SECONDS + 10) * 1000,
            'every live instance to forget the uninstalled portal',
        ).catch(() => undefined);
        const listedAfterUninstall: Record<string, number> = {};
        for (const instance of live)
            listedAfterUninstall[instance.name] = await listedOn(instance.runtime.url);

        return {
            portals,
            listed,
            changes,
            delivered: deliveredKeys().size,
            queueRows: queueRows(),
            status503: farm.portals.reduce((sum, p) => sum + p.control.counters().status503, 0),
            leases: count(ownersBefore.values()),
            deliveredByOwner,
            killed,
            takeoverMs,
            listedAfterUninstall,
            wallSeconds: Math.round((Date.now() - started) / 1000),
        };
    } catch (err) {
        for (const instance of cluster?.instances ?? [])
            console.error(`--- ${instance.name}\n${instance.runtime.lines.slice(-25).join('\n')}`);
        throw err;
    } finally {
        await cluster?.stop();
        await sink.close();
        await farm.stop();
        await redis.stop();
    }
}
