/**
 * The sidebar benchmark (issue 15): with an application installed on 1,000 emulated portals (the
 * emulator farm, one multi-portal `bitrix24-portal` node), how long `GET /bitrix24/status`
 * takes and how long the Bitrix24 tab takes to open and draw its rows in Chromium.
 *
 *   npm run bench:sidebar -- [--portals 1000] [--runs 10]
 *
 * Targets: the tab opens in 2 s or less, the status answers in 200 ms or less. Not a test: it
 * asserts nothing and prints what it measured.
 */
import { launchChromium } from '../browser/chromium';
import { EditorPage } from '../browser/editor-page';
import { sleep } from '../../dist/demo/wait';
import { startEmulatorFarm } from '../../dist/emulator';
import { startRuntime } from '../helpers/node-red-runtime';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
    args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const portals = Number(args.get('portals') ?? 1000);
const runs = Number(args.get('runs') ?? 10);
const APP_NODE = 'b24-bench-app';
/** Installations posted at once. */
const INSTALLS_AT_ONCE = 20;

async function main(): Promise<void> {
    const farm = await startEmulatorFarm({ portals });
    const { runtime, stop } = await startRuntime();
    const browser = await launchChromium();
    try {
        await runtime.deploy(
            [
                {
                    id: APP_NODE,
                    type: 'bitrix24-portal',
                    name: 'Bench application',
                    multiPortal: true,
                    publicUrl: runtime.url,
                    maxPortals: portals,
                    authType: 'oauth',
                    oauthServer: farm.oauthServer,
                    credentials: { clientId: farm.app.clientId, clientSecret: farm.app.clientSecret },
                },
            ],
            { started: true },
        );
        const installUrl = `${runtime.url}/bitrix24/app/${APP_NODE}/install`;
        const installStart = Date.now();
        // The install URL admits 20 a second after a burst of 60 (InstallGate): a refused one waits.
        let waiting = [...farm.portals];
        while (waiting.length > 0) {
            const batch = waiting.slice(0, INSTALLS_AT_ONCE);
            const answers = await Promise.all(batch.map((portal) => portal.install(installUrl)));
            const failed = answers.find((answer) => answer.status !== 200 && answer.status !== 429);
            if (failed) throw new Error(`an installation was answered ${failed.status}`);
            const refused = batch.filter((_, i) => answers[i].status === 429);
            waiting = [...refused, ...waiting.slice(INSTALLS_AT_ONCE)];
            if (refused.length > 0) await sleep(1000);
        }
        const installSeconds = (Date.now() - installStart) / 1000;
        const deadline = Date.now() + 120_000;
        while ((await rowCount(runtime.url)) < portals) {
            if (Date.now() > deadline) throw new Error(`fewer than ${portals} rows in the status`);
            await sleep(500);
        }

        // The first request also starts the queue reads of every portal (someone looks).
        const first = await timed(() => fetchStatus(runtime.url));
        const times: number[] = [];
        for (let i = 0; i < runs; i++) times.push(await timed(() => fetchStatus(runtime.url)));
        const statusBytes = (await fetchStatus(runtime.url)).length;

        const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
        const editor = new EditorPage(page);
        await editor.open(runtime.url);
        const tabOpen: number[] = [];
        for (let i = 0; i < Math.min(runs, 5); i++) {
            await page.evaluate(() => (window as unknown as { RED: EditorRed }).RED.sidebar.show('info'));
            const start = Date.now();
            await page.evaluate(() => (window as unknown as { RED: EditorRed }).RED.sidebar.show('bitrix24'));
            await page
                .locator('.b24-sidebar-summary')
                .filter({ hasText: `${portals} of ${portals}` })
                .waitFor();
            await page.locator('.b24-sidebar-row').first().waitFor();
            tabOpen.push(Date.now() - start);
        }
        const drawnRows = await page.locator('.b24-sidebar-row').count();

        const result = {
            portals,
            rowsInStatus: await rowCount(runtime.url),
            installSeconds: round(installSeconds),
            statusFirstMs: first,
            statusMedianMs: median(times),
            statusMaxMs: Math.max(...times),
            statusBytes,
            tabOpenMedianMs: median(tabOpen),
            tabOpenMaxMs: Math.max(...tabOpen),
            rowsDrawn: drawnRows,
        };
        console.log(
            `status endpoint, ${portals} rows: first ${first} ms, median ${result.statusMedianMs} ms (target ≤ 200)`,
        );
        console.log(
            `Bitrix24 tab open with ${portals} rows: median ${result.tabOpenMedianMs} ms (target ≤ 2000)`,
        );
        console.log(JSON.stringify(result, null, 2));
    } finally {
        await browser.close();
        await stop();
        await farm.stop();
    }
}

interface EditorRed {
    sidebar: { show(id: string): void };
}

async function fetchStatus(url: string): Promise<string> {
    const response = await fetch(`${url}/bitrix24/status`);
    if (!response.ok) throw new Error(`GET /bitrix24/status: HTTP ${response.status}`);
    return response.text();
}

async function rowCount(url: string): Promise<number> {
    return (JSON.parse(await fetchStatus(url)) as { rows: unknown[] }).rows.length;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
    const start = process.hrtime.bigint();
    await work();
    return Number((process.hrtime.bigint() - start) / 1_000_000n);
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

function round(value: number): number {
    return Math.round(value * 10) / 10;
}

main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
});
