// `npm start -- --portals N`: one application installed on N emulated portals (an emulator farm,
// rate limits on), a Node-RED with the multi-portal flow, and deal updates on every portal.
import { startEmulatorFarm } from '../emulator';
import { startDemoNodeRed } from './demo-node-red';
import { APP_NODE_ID, installUrl, multiPortalFlow } from './multi-portal-flow';
import type { Shutdown } from './shutdown';
import { until } from './wait';

const DEALS_PER_PORTAL = 20;
/** Deal updates a second on each portal. */
const CHANGES_PER_SECOND = 0.5;
/** Idle portals are polled from 60 s on; the rings carry the changes. */
const POLL_SECONDS = 60;
/** Installation POSTs in flight at once. */
const INSTALLERS = 5;

export async function startManyPortals(
    shutdown: Shutdown,
    options: { portals: number; port: number; userDir: string },
): Promise<void> {
    const farm = await startEmulatorFarm({ portals: options.portals, limits: 'on' });
    shutdown.add(() => farm.stop());
    const { nodeRed, deployed } = await startDemoNodeRed(shutdown, options.userDir, options.port);
    if (shutdown.started) return;

    await nodeRed.deploy(
        multiPortalFlow({
            oauthServer: farm.oauthServer,
            app: farm.app,
            publicUrl: nodeRed.url,
            pollInterval: POLL_SECONDS,
        }),
        { started: true },
    );
    deployed();
    const url = installUrl(nodeRed.url);
    // Each portal installs the application through the install URL, as from the Marketplace.
    let next = 0;
    const installer = async () => {
        while (next < farm.portals.length && !shutdown.started) {
            const portal = farm.portals[next++];
            const { status } = await portal.install(url);
            if (status !== 200) throw new Error(`the installation on ${portal.domain} answered ${status}`);
        }
    };
    await Promise.all(Array.from({ length: INSTALLERS }, installer));
    // The install URL answers at once and checks the installation after: wait until each is kept.
    await until(
        async () => (await installations(nodeRed.url)) === farm.portals.length,
        60_000,
        'every installation to be kept',
    );
    for (const portal of farm.portals) {
        portal.control.startGenerator({
            entity: 'deal',
            objects: DEALS_PER_PORTAL,
            changesPerSecond: CHANGES_PER_SECOND,
        });
    }

    console.log(`Bitrix24 emulator farm: ${farm.portals.length} portals (standard plan, rate limits on)`);
    console.log(`Farm control:      ${farm.oauthServer}/_emulator/farm`);
    console.log(`Install URL:       ${url}`);
    console.log(`Node-RED editor:   ${nodeRed.url}/`);
    console.log(
        `One application is installed on ${farm.portals.length} portals, each with ${CHANGES_PER_SECOND} deal updates a second.\n` +
            `Each portal rings on a change and "offline get" drains that portal alone; every msg ` +
            `carries msg.portal, and "offline clear" confirms the rows on their own portal.\n` +
            `The "portals" node answers any msg with the installations. Ctrl-C stops everything.`,
    );
}

/** How many installations the application node lists (the admin route its dialog reads). */
async function installations(nodeRedUrl: string): Promise<number> {
    const response = await fetch(`${nodeRedUrl}/bitrix24/portal/${APP_NODE_ID}/installations`);
    if (!response.ok) return 0;
    return ((await response.json()) as { installations?: unknown[] }).installations?.length ?? 0;
}
