// An application installed on the portals of an emulator farm, in the test helper's Node-RED:
// the farm, the runtime's httpNode served on a real port (the install and event URLs), and a
// relay in front of the install URL that keeps a copy of each portal's installation form, so a
// test can forge one from genuine parts.
import http from 'node:http';

import helper from 'node-red-node-test-helper';

import { startEmulatorFarm, type EmulatorFarm, type FarmPortal } from '../../dist/emulator';
import type { MultiPortalApp } from '../../dist/runtime/app/multi-portal-app';
import portalModule from '../../dist/nodes/bitrix24-portal';
import portalsModule from '../../dist/nodes/bitrix24-portals';
import type { PortalNode } from '../../dist/nodes/shared/portal-node';
import { listenLocally, type LocalServer } from '../../dist/demo/local-server';
import { until } from '../helpers/emulator-flow';
import { serveHttpNode, type FlowNode } from '../helpers/node-flow';
import type { captureRed } from '../helpers/red';

export const APP_ID = 'app';

export interface AppBench {
    farm: EmulatorFarm;
    /** Where the runtime's httpNode is served: the portal node's public URL. */
    publicUrl: string;
    installUrl: string;
    eventUrl: string;
    /** The installation form each portal posted last, by member_id, as the portal encoded it. */
    forms: Map<string, string>;
    /** The relay's address that forwards to the install URL: what the portals are given. */
    relayUrl: string;
}

/** The application's portal node: multiPortal, the farm's token server allowed. */
export function appPortalNode(bench: AppBench, extra: Record<string, unknown> = {}): FlowNode {
    return {
        id: APP_ID,
        type: 'bitrix24-portal',
        name: 'application',
        multiPortal: true,
        publicUrl: bench.publicUrl,
        oauthServer: bench.farm.oauthServer,
        maxPortals: 1000,
        concurrency: 8,
        ...extra,
    };
}

export function appCredentials(bench: AppBench): Record<string, Record<string, string>> {
    return { [APP_ID]: { clientId: bench.farm.app.clientId, clientSecret: bench.farm.app.clientSecret } };
}

/** Loads the application node, a portals node wired to helper node `out`, and `more`. */
export async function loadApp(
    red: ReturnType<typeof captureRed>,
    bench: AppBench,
    options: { portal?: Record<string, unknown>; more?: FlowNode[]; modules?: unknown[] } = {},
): Promise<MultiPortalApp> {
    const onTab: FlowNode[] = [
        { id: 'portals', type: 'bitrix24-portals', portal: APP_ID, wires: [['out']] },
        { id: 'out', type: 'helper' },
        ...(options.more ?? []),
    ];
    const flow: FlowNode[] = [
        appPortalNode(bench, options.portal),
        { id: 'tab', type: 'tab' },
        ...onTab.map((node) => ({ z: 'tab', ...node })),
    ];
    await helper.load(
        [portalModule, portalsModule, red.module, ...(options.modules ?? [])] as never,
        flow,
        appCredentials(bench),
    );
    const app = appOf();
    await app.ready;
    return app;
}

export function appOf(): MultiPortalApp {
    const node = helper.getNode(APP_ID) as unknown as PortalNode;
    if (!node.app) throw new Error('the portal node is no application');
    return node.app as MultiPortalApp;
}

/** Installs the application on `portals` through the install URL and waits until all are kept. */
export async function installAll(bench: AppBench, portals: FarmPortal[] = bench.farm.portals): Promise<void> {
    const app = appOf();
    for (const portal of portals) {
        const { status } = await portal.install(bench.relayUrl);
        if (status !== 200) throw new Error(`the install URL answered ${status}`);
    }
    await until(
        () => portals.every((portal) => app.portal(portal.memberId) !== undefined),
        20_000,
        'every installation kept',
    );
    // An installation binds its lifecycle events last: wait, so that a test counts only its own requests.
    await until(
        () =>
            portals.every((portal) =>
                portal.control
                    .bindings(bench.farm.app.clientId)
                    .some((one) => one.event === 'ONAPPUPDATE' && one.handler === bench.eventUrl),
            ),
        20_000,
        'every installation bound',
    );
}

/** Form fields of a posted body, to change some and post it again. */
export function formFields(body: string): Record<string, string> {
    return Object.fromEntries(new URLSearchParams(body));
}

export async function post(url: string, fields: Record<string, string>): Promise<number> {
    const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
    });
    await response.arrayBuffer();
    return response.status;
}

/**
 * Mocha hooks: a farm of `portals` portals, the runtime's httpNode served and the relay, before
 * each test; all stopped after it, with the runtime unloaded.
 */
export function useAppBench(red: ReturnType<typeof captureRed>, portals = 5): { readonly bench: AppBench } {
    let bench: AppBench | undefined;
    let servers: LocalServer[] = [];
    let farm: EmulatorFarm | undefined;
    beforeEach(async () => {
        farm = await startEmulatorFarm({ portals });
        const node = await serveHttpNode((req, res) => {
            red.red.httpNode(req, res);
        });
        const forms = new Map<string, string>();
        const publicUrl = node.url;
        const installUrl = `${publicUrl}/bitrix24/app/${APP_ID}/install`;
        const relay = await listenLocally(
            http.createServer((req, res) => {
                const chunks: Buffer[] = [];
                req.on('data', (chunk: Buffer) => chunks.push(chunk));
                req.on('end', () => {
                    const body = Buffer.concat(chunks).toString('utf8');
                    const memberId = new URLSearchParams(body).get('auth[member_id]') ?? '';
                    forms.set(memberId, body);
                    fetch(installUrl, {
                        method: 'POST',
                        headers: { 'Content-Type': String(req.headers['content-type']) },
                        body,
                    }).then(
                        (answer) => res.writeHead(answer.status).end(),
                        () => res.writeHead(502).end(),
                    );
                });
            }),
        );
        servers = [node, relay];
        bench = {
            farm,
            publicUrl,
            installUrl,
            eventUrl: `${publicUrl}/bitrix24/app/${APP_ID}/event`,
            forms,
            relayUrl: `${relay.url}/install`,
        };
    });
    afterEach(async () => {
        await helper.unload();
        await Promise.all(servers.map((server) => server.close()));
        await farm?.stop();
        bench = undefined;
    });
    return {
        get bench() {
            if (!bench) throw new Error('the bench starts in beforeEach');
            return bench;
        },
    };
}
