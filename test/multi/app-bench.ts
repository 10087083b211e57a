import http from 'node:http';

import { listenLocally, type LocalServer } from '../../dist/demo/local-server';
import type { NodeRedProcess } from '../../dist/demo/node-red-process';
import { until } from '../../dist/demo/wait';
import { startEmulatorFarm, type EmulatorFarm, type FarmPortal } from '../../dist/emulator';
import { startRuntime } from '../helpers/node-red-runtime';

/** What a flow sent to the collector: one report node's view of one msg. */
export interface Report {
    /** The report node's name: which node's output it was wired to. */
    source: string;
    topic?: string;
    portal?: { memberId: string; domain: string };
    payload?: unknown;
    process_id?: string | null;
    redelivery?: number;
    /** A Catch node's report: the error's message and the node that failed. */
    error?: string;
    failed?: string;
}

export type FlowNode = { id: string; type: string } & Record<string, unknown>;

export const TAB = 'multi';
export const APP = 'app';
const WAIT_MS = 20_000;

/**
 * A real Node-RED process with an application (a `bitrix24-portal` with `multiPortal`) installed
 * on the portals of an emulator farm, and a collector the flows report their msgs to (a
 * function node per output, then one http request node).
 */
export class AppBench {
    private constructor(
        /** Every msg the flows reported, in the order they arrived. */
        readonly reports: Report[],
        readonly farm: EmulatorFarm,
        readonly runtime: NodeRedProcess,
        private readonly collector: LocalServer,
        private readonly stopRuntime: () => Promise<void>,
        /** The runtime's user directory; the package's documents are in its `bitrix24` folder. */
        readonly userDir: string,
    ) {}

    static async start(portals: number): Promise<AppBench> {
        const farm = await startEmulatorFarm({ portals });
        const reports: Report[] = [];
        const collector = await listenLocally(
            http.createServer((req, res) => {
                const chunks: Buffer[] = [];
                req.on('data', (chunk: Buffer) => chunks.push(chunk));
                req.on('end', () => {
                    reports.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Report);
                    res.end('ok');
                });
            }),
        );
        const { runtime, stop, userDir } = await startRuntime();
        return new AppBench(reports, farm, runtime, collector, stop, userDir);
    }

    async stop(): Promise<void> {
        try {
            await this.runtime.deploy([], { started: true });
        } finally {
            await this.stopRuntime();
            await this.collector.close();
            await this.farm.stop();
        }
    }

    /** The application node; `name` changes it without changing what it does. */
    appNode(extra: Record<string, unknown> = {}): FlowNode {
        return {
            id: APP,
            type: 'bitrix24-portal',
            multiPortal: true,
            publicUrl: this.runtime.url,
            oauthServer: this.farm.oauthServer,
            rateLimit: 'custom',
            burst: 100,
            rps: 100,
            concurrency: 8,
            credentials: { clientId: this.farm.app.clientId, clientSecret: this.farm.app.clientSecret },
            ...extra,
        };
    }

    /** The tab, the application, a portals node, the collector's http request node, and `nodes`. */
    flow(nodes: FlowNode[], app: Record<string, unknown> = {}): FlowNode[] {
        return [
            { id: TAB, type: 'tab', label: 'many portals' },
            this.appNode(app),
            { id: 'portals', z: TAB, type: 'bitrix24-portals', portal: APP, wires: [['report-portals']] },
            reportNode('portals'),
            {
                // Not called 'catch': a property whose value is another node's id (type: 'catch') reads as a
                // reference to it, and the runtime refuses the flow as circular.
                id: 'on-error',
                z: TAB,
                type: 'catch',
                scope: null,
                uncaught: false,
                wires: [['report-catch']],
            },
            reportNode('catch'),
            {
                id: 'post',
                z: TAB,
                type: 'http request',
                method: 'POST',
                ret: 'txt',
                paytoqs: 'ignore',
                url: this.collector.url,
                wires: [[]],
            },
            ...nodes,
        ];
    }

    async deploy(flow: FlowNode[], type: 'full' | 'nodes' | 'flows' = 'full'): Promise<void> {
        await this.runtime.deploy(flow, { started: true, type });
    }

    /** Installs the application on every portal of the farm and waits for each `installed` msg. */
    async installAll(): Promise<void> {
        const url = `${this.runtime.url}/bitrix24/app/${APP}/install`;
        for (const portal of this.farm.portals) {
            const { status } = await portal.install(url);
            if (status !== 200) throw new Error(`install on ${portal.domain}: HTTP ${status}`);
        }
        await this.until(
            () =>
                this.from('portals').filter((r) => r.topic === 'installed').length >=
                this.farm.portals.length,
            'every installation',
        );
    }

    from(source: string): Report[] {
        return this.reports.filter((report) => report.source === source);
    }

    /** As `until`; on a timeout the error carries the runtime's last log lines, to see why. */
    async until(condition: () => boolean | Promise<boolean>, what: string, ms = WAIT_MS): Promise<void> {
        try {
            await until(condition, ms, what);
        } catch (err) {
            const log = this.runtime.lines.slice(-20).join('\n');
            throw new Error(`${(err as Error).message}\nNode-RED's last lines:\n${log}`, { cause: err });
        }
    }

    /** Deals added on `portal`, waited for until its rows are written. */
    async addDeals(portal: FarmPortal, count: number): Promise<void> {
        const before = portal.control.counters().rowsQueued;
        for (let i = 0; i < count; i++) {
            portal.control.userChange({ entity: 'deal', action: 'add', fields: { title: `Deal ${i}` } });
        }
        await until(() => portal.control.counters().rowsQueued >= before + count, WAIT_MS, `${count} rows`);
    }

    /** REST requests the application's portals answered since their counters were reset. */
    requests(): number {
        return this.farm.portals.reduce((sum, portal) => sum + portal.control.counters().requests, 0);
    }
}

/** A function node that reports each msg to the collector as `source`. */
export function reportNode(source: string): FlowNode {
    return {
        id: `report-${source}`,
        z: TAB,
        type: 'function',
        func: [
            'msg.payload = {',
            `    source: ${JSON.stringify(source)},`,
            '    topic: msg.topic,',
            '    portal: msg.portal,',
            '    payload: msg.payload,',
            '    process_id: msg.process_id,',
            '    redelivery: msg.redelivery,',
            '    error: msg.error && msg.error.message,',
            '    failed: msg.error && msg.error.source && msg.error.source.id,',
            '};',
            'msg.headers = { "content-type": "application/json" };',
            'return msg;',
        ].join('\n'),
        outputs: 1,
        wires: [['post']],
    };
}

/** An inject node whose button sends `portal` (absent: no msg.portal) and `props` to `target`. */
export function injectTo(
    id: string,
    target: string,
    portal?: { memberId: string; domain?: string },
    props: { p: string; v: string; vt: string }[] = [],
): FlowNode {
    const all: { p: string; v?: string; vt?: string }[] = [{ p: 'payload' }, ...props];
    if (portal) all.push({ p: 'portal', v: JSON.stringify(portal), vt: 'json' });
    return {
        id,
        z: TAB,
        type: 'inject',
        props: all,
        payload: '{}',
        payloadType: 'json',
        repeat: '',
        once: false,
        wires: [[target]],
    };
}

/** An offline bind kept on every installation (onDeploy), so that deals queue rows on each portal. */
export function bindDealsNode(): FlowNode {
    return {
        id: 'bind-deals',
        z: TAB,
        type: 'bitrix24-bind',
        portal: APP,
        action: 'bind',
        eventName: 'ONCRMDEALADD',
        eventNameType: 'str',
        eventType: 'offline',
        onDeploy: true,
        wires: [[]],
    };
}
