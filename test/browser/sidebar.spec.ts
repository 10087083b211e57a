import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';

import { bindOffline, restCall, startDemoEmulator } from '../../dist/demo/demo-emulator';
import { appCredentials, demoFlow } from '../../dist/demo/demo-flow';
import type { NodeRedProcess } from '../../dist/demo/node-red-process';
import { emulatorPortalNode } from '../../dist/demo/portal-node';
import { startSink, type Sink } from '../../dist/demo/sink-server';
import { startEmulator, type Emulator } from '../../dist/emulator';
import { addDeals, until } from '../helpers/emulator-flow';
import { startRuntime } from '../helpers/node-red-runtime';
import { launchChromium } from './chromium';
import { EditorPage } from './editor-page';

const ROOT = path.resolve(__dirname, '..', '..');
/** The README's picture of the tab; a copy always goes to test/output. */
const README_SCREENSHOT = path.join(ROOT, 'docs', 'images', 'sidebar.png');
/** The queue figures are read this often while the tab is open (the default is 60 s). */
const QUEUE_INTERVAL_SECONDS = 2;
const QUIET_PORTAL = 'b24-quiet-portal';
const QUIET_DEALS = 7;
const QUIET_RESERVED = 3;

/** A second portal (another emulator) that nobody drains: its figures hold still. */
function quietFlow(emulator: Emulator): Record<string, unknown>[] {
    return [
        emulatorPortalNode(emulator, { id: QUIET_PORTAL, name: 'Quiet' }),
        { id: 'b24-quiet-tab', type: 'tab', label: 'Quiet portal' },
        {
            id: 'b24-quiet-list',
            z: 'b24-quiet-tab',
            type: 'bitrix24-offline-list',
            portal: QUIET_PORTAL,
            x: 200,
            y: 100,
            wires: [[]],
        },
    ];
}

interface RowFigures {
    state: string;
    figures: Record<string, string>;
    chart: string;
    error: string;
}

/**
 * The Bitrix24 sidebar tab in Debian's Chromium, against the demo (example 01 draining the
 * emulator while its change generator runs) and a second, quiet portal.
 */
describe('the Bitrix24 sidebar tab in a real browser', function () {
    this.timeout(180_000);
    let demo: Emulator;
    let quiet: Emulator;
    let sink: Sink;
    let runtime: NodeRedProcess;
    let stopNodeRed: (() => Promise<void>) | undefined;
    let browser: Browser;
    let page: Page;
    const pageErrors: string[] = [];

    before(async () => {
        browser = await launchChromium();
        demo = await startDemoEmulator();
        quiet = await startEmulator();
        await bindOffline(quiet, 'ONCRMDEALADD');
        await addDeals(quiet, QUIET_DEALS);
        const reserved = await restCall(quiet, 'event.offline.get', { limit: QUIET_RESERVED, clear: 0 });
        assert.equal(reserved.error, undefined);
        sink = await startSink();
        ({ runtime, stop: stopNodeRed } = await startRuntime({
            bitrix24Status: { queueIntervalSeconds: QUEUE_INTERVAL_SECONDS },
        }));
        const flow = demoFlow(path.join(ROOT, 'examples'), {
            portalUrl: demo.portalUrl,
            oauthServer: demo.oauthServer,
            credentials: appCredentials(demo.app),
            sinkUrl: sink.url,
            pollSeconds: 5,
        });
        await runtime.deploy([...flow, ...quietFlow(quiet)], { started: true });
        demo.control.startGenerator({ entity: 'deal', objects: 200, changesPerSecond: 10 });
        page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
        page.on('pageerror', (error) => pageErrors.push(error.message));
        await new EditorPage(page).open(runtime.url);
    });

    after(async () => {
        demo?.control.stopGenerator();
        await browser?.close();
        await stopNodeRed?.();
        await sink?.stop();
        await demo?.stop();
        await quiet?.stop();
    });

    const rowOf = (emulator: Emulator) =>
        `.b24-sidebar-row[data-key$="/${new URL(emulator.portalUrl).host}"]`;

    async function figuresOf(emulator: Emulator): Promise<RowFigures> {
        const row = page.locator(rowOf(emulator));
        await row.waitFor();
        return row.evaluate((element) => {
            const figures: Record<string, string> = {};
            element.querySelectorAll('[data-figure]').forEach((figure) => {
                const text = figure.textContent ?? '';
                figures[figure.getAttribute('data-figure') ?? ''] = text.slice(text.lastIndexOf(' ') + 1);
            });
            return {
                state: element.getAttribute('data-state') ?? '',
                figures,
                chart: element.querySelector('svg')?.getAttribute('data-points') ?? '',
                error: element.querySelector('.b24-sidebar-error')?.textContent ?? '',
            };
        });
    }

    it('opens a Bitrix24 tab in the sidebar with one row per portal', async () => {
        await page.evaluate(() =>
            (window as unknown as { RED: { sidebar: { show(id: string): void } } }).RED.sidebar.show(
                'bitrix24',
            ),
        );
        await page.locator('#red-ui-tab-bitrix24').waitFor();
        assert.equal((await page.locator('#red-ui-tab-bitrix24').innerText()).trim() !== '', true);
        await page.locator(rowOf(demo)).waitFor();
        await page.locator(rowOf(quiet)).waitFor();
        assert.equal(await page.locator('.b24-sidebar-row').count(), 2);
        assert.match(await page.locator('.b24-sidebar-summary').innerText(), /2 of 2/);
    });

    it('shows the queue figures the emulator counts, within one refresh', async () => {
        const gauges = quiet.control.counters().queue;
        assert.deepEqual([gauges.rows, gauges.reserved], [QUIET_DEALS, QUIET_RESERVED]);
        let shown: RowFigures | undefined;
        await until(
            async () => {
                shown = await figuresOf(quiet);
                return shown.figures.backlog !== '–';
            },
            (QUEUE_INTERVAL_SECONDS + 5) * 1000,
            'the quiet portal figures',
        );
        assert.deepEqual(
            {
                backlog: shown!.figures.backlog,
                reserved: shown!.figures.reserved,
                errorRows: shown!.figures.errorRows,
                state: shown!.state,
            },
            {
                backlog: String(gauges.rows),
                reserved: String(gauges.reserved),
                errorRows: String(gauges.errored),
                state: 'ok',
            },
        );
    });

    it('moves the backlog chart while the change generator runs', async () => {
        await until(async () => (await figuresOf(demo)).chart.split(' ').length >= 2, 30_000, 'two points');
        const before = (await figuresOf(demo)).chart;
        await until(
            async () => {
                const now = (await figuresOf(demo)).chart;
                return now !== before && new Set(now.split(' ').map((p) => p.split(',')[1])).size > 1;
            },
            30_000,
            'the chart to move',
        );
        assert.ok(Number((await figuresOf(demo)).figures.backlog) >= 0);
    });

    it('marks a portal blocked when its application subscription ran out, with the hint', async () => {
        quiet.control.setAppState(quiet.app.clientId, { paymentExpired: true });
        await until(async () => (await figuresOf(quiet)).state === 'blocked', 30_000, 'the blocked mark');
        const shown = await figuresOf(quiet);
        assert.match(shown.error, /PAYMENT_REQUIRED/);
        const mark = page.locator(`${rowOf(quiet)} .b24-sidebar-state`);
        assert.equal(await mark.getAttribute('class'), 'b24-sidebar-state b24-state-blocked');
    });

    it('filters the rows by what is typed', async () => {
        await page.locator('.b24-sidebar-filter').fill('blocked');
        await until(async () => (await page.locator('.b24-sidebar-row').count()) === 1, 5_000, 'one row');
        assert.equal(await page.locator(rowOf(quiet)).count(), 1);
        await page.locator('.b24-sidebar-filter').fill('');
        await until(async () => (await page.locator('.b24-sidebar-row').count()) === 2, 5_000, 'two rows');
    });

    it("shows a portal's nodes in the workspace when its name is clicked", async () => {
        await page.locator(`${rowOf(quiet)} .b24-sidebar-portal`).click();
        const shown = await page.evaluate(() => {
            const RED = (
                window as unknown as {
                    RED: {
                        workspaces: { active(): string };
                        view: { selection(): { nodes?: { id: string }[] } };
                    };
                }
            ).RED;
            return {
                tab: RED.workspaces.active(),
                selected: (RED.view.selection().nodes ?? []).map((n) => n.id),
            };
        });
        assert.deepEqual(shown, { tab: 'b24-quiet-tab', selected: ['b24-quiet-list'] });
    });

    it('speaks Russian in a Russian browser', async () => {
        const russian = await browser.newPage({ locale: 'ru', viewport: { width: 1600, height: 900 } });
        try {
            await new EditorPage(russian).open(runtime.url);
            await russian.evaluate(() =>
                (window as unknown as { RED: { sidebar: { show(id: string): void } } }).RED.sidebar.show(
                    'bitrix24',
                ),
            );
            await russian.locator(`${rowOf(quiet)} .b24-state-blocked`).waitFor();
            assert.equal(await russian.locator('#red-ui-tab-bitrix24').innerText(), 'Битрикс24');
            assert.equal(
                await russian.locator(`${rowOf(quiet)} .b24-sidebar-state`).innerText(),
                'заблокирован',
            );
            assert.match(await russian.locator('.b24-sidebar-summary').innerText(), /^2 из 2 порталов$/);
        } finally {
            await russian.close();
        }
    });

    it('draws the picture of the tab for the README', async () => {
        // The tab's header and rows, without the empty space below them.
        const box = await page.locator('#red-ui-sidebar').boundingBox();
        assert.ok(box);
        const shot = await page.screenshot({
            clip: { x: box.x, y: box.y, width: box.width, height: Math.min(box.height, 300) },
        });
        await fs.mkdir(path.join(ROOT, 'test', 'output'), { recursive: true });
        await fs.writeFile(path.join(ROOT, 'test', 'output', 'sidebar.png'), shot);
        if (process.env.B24_UPDATE_SCREENSHOT === '1') {
            await fs.mkdir(path.dirname(README_SCREENSHOT), { recursive: true });
            await fs.writeFile(README_SCREENSHOT, shot);
        }
        assert.ok(shot.length > 1000);
        assert.deepEqual(pageErrors, []);
    });
});
