import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';

import type { Emulator } from '../../src/emulator';
import { startDemoEmulator } from '../../src/demo/demo-emulator';
import { readExample } from '../../src/demo/demo-flow';
import type { NodeRedProcess } from '../../dist/demo/node-red-process';
import { startSink, type Sink } from '../../src/demo/sink-server';
import { CONTRACT, FLOW_TYPES } from '../editor/editor-files';
import { until } from '../helpers/emulator-flow';
import { startRuntime } from '../helpers/node-red-runtime';
import { launchChromium } from './chromium';
import { EditorPage, type DialogReport } from './editor-page';

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');
const MODULE = '@b24sync/node-red-bitrix24';
const PORTAL = 'b24-example-portal';
const WEBHOOK_PORTAL = 'b24-webhook-portal';
/** Where the screenshot for the README goes when B24_UPDATE_SCREENSHOT=1; always to test/output. */
const README_SCREENSHOT = path.join(ROOT, '.github', 'images', 'demo-flow.png');

/** A webhook portal at `portalUrl` and a call node that uses it, as the editor saves them. */
function webhookFlow(portalUrl: string): Record<string, unknown>[] {
    return [
        {
            ...CONTRACT['bitrix24-portal'],
            id: WEBHOOK_PORTAL,
            type: 'bitrix24-portal',
            name: 'Webhook',
            portalUrl,
            authType: 'webhook',
        },
        {
            ...CONTRACT['bitrix24-call'],
            id: 'b24-webhook-call',
            type: 'bitrix24-call',
            portal: WEBHOOK_PORTAL,
            method: 'crm.deal.list',
            x: 200,
            y: 160,
            wires: [[]],
        },
    ];
}

const title = (number: string) => readExample(EXAMPLES, number).title;
const ours = (type: string) => type.startsWith('bitrix24-');

function assertClean(report: DialogReport, what: string): void {
    assert.deepEqual(report.rawKeys, [], `${what}: catalog keys shown instead of text`);
    assert.deepEqual(report.invalid, [], `${what}: fields marked invalid`);
    assert.ok(report.labels.length > 0 && report.labels.every((label) => label !== ''), `${what}: labels`);
}

describe('the editor in a real browser', function () {
    this.timeout(120_000);
    let emulator: Emulator;
    let sink: Sink;
    let nodeRed: NodeRedProcess;
    let browser: Browser;
    let page: Page;
    let editor: EditorPage;
    let stopNodeRed: (() => Promise<void>) | undefined;
    const opened = new Set<string>();
    const pageErrors: string[] = [];

    before(async () => {
        browser = await launchChromium();
        emulator = await startDemoEmulator();
        sink = await startSink();
        ({ runtime: nodeRed, stop: stopNodeRed } = await startRuntime());
        page = await browser.newPage({ viewport: { width: 1920, height: 1000 } });
        page.on('pageerror', (error) => pageErrors.push(error.message));
        editor = new EditorPage(page);
        await editor.open(nodeRed.url);
    });

    afterEach(async () => {
        await editor?.closeEverything();
    });

    after(async () => {
        await browser?.close();
        await stopNodeRed?.();
        await sink?.stop();
        await emulator?.stop();
    });

    it('shows every flow node in the palette, with translated labels', async () => {
        for (const type of FLOW_TYPES) {
            const label = await page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`).innerText();
            assert.ok(label.trim() !== '' && !label.includes('.'), `${type} palette label: ${label}`);
        }
    });

    it('imports example 01 from Import > Examples', async () => {
        await editor.importExample(MODULE, title('01'));
        const types = (await editor.nodesOnTab()).map((node) => node.type);
        const expected = readExample(EXAMPLES, '01')
            .nodes.filter((node) => node.z)
            .map((node) => node.type);
        assert.deepEqual(types.sort(), expected.sort());
    });

    it('configures the portal in its dialog from the get node, without validation errors', async () => {
        await editor.openDialog('b24-example-01-get');
        await editor.openConfigDialog('portal');
        await editor.fill('#node-config-input-name', 'Emulator');
        await editor.fill('#node-config-input-portalUrl', emulator.portalUrl);
        await editor.fill('#node-config-input-clientId', emulator.app.clientId);
        await editor.fill('#node-config-input-clientSecret', emulator.app.clientSecret);
        await page.locator('#bitrix24-portal-tokens-toggle').click();
        await editor.fill('#node-config-input-accessToken', emulator.app.accessToken);
        await editor.fill('#node-config-input-refreshToken', emulator.app.refreshToken);
        await editor.fill('#node-config-input-applicationToken', emulator.app.applicationToken);
        await editor.fill('#node-config-input-oauthServer', emulator.oauthServer);
        const portal = await editor.report();
        assertClean(portal, 'bitrix24-portal');
        assert.ok(portal.labels.includes('Portal URL'), `portal labels: ${portal.labels.join(', ')}`);
        opened.add('bitrix24-portal');
        await editor.confirmDialog();
        assertClean(await editor.report(), 'bitrix24-offline-get');
        opened.add('bitrix24-offline-get');
        await editor.confirmDialog();
    });

    it('opens the dialogs of the other Bitrix24 nodes of example 01 without validation errors', async () => {
        for (const node of readExample(EXAMPLES, '01').nodes.filter((n) => ours(n.type) && n.z)) {
            if (node.type === 'bitrix24-offline-get') continue;
            await editor.openDialog(node.id);
            assertClean(await editor.report(), node.type);
            opened.add(node.type);
            await editor.cancelDialog();
        }
    });

    it('deploys example 01 pointed at a local endpoint and shows the get and clear status on the canvas', async () => {
        await editor.openDialog('b24-example-01-post');
        await editor.fill('#node-input-url', sink.url);
        await editor.confirmDialog();
        await editor.deploy();
        emulator.control.startGenerator({ entity: 'deal', objects: 30, changesPerSecond: 30, count: 300 });
        await until(
            async () =>
                /^(reading|idle|draining|\d+ confirmed)/.test(await editor.statusText('b24-example-01-get')),
            30_000,
            'the get status',
        );
        await until(
            async () => /^cleared \d+/.test(await editor.statusText('b24-example-01-clear')),
            60_000,
            'the clear status',
        );
        assert.ok(sink.received() > 0, 'the endpoint received changes');
        assert.equal(await editor.statusText('b24-example-01-02'), 'ONCRMDEALUPDATE already bound');
        await until(
            async () => /^(idle|\d+ confirmed)$/.test(await editor.statusText('b24-example-01-get')),
            30_000,
            'the get node idle, with what it confirmed',
        );
        const shot = await editor.screenshotFlow();
        await fs.mkdir(path.join(ROOT, 'test', 'output'), { recursive: true });
        await fs.writeFile(path.join(ROOT, 'test', 'output', 'demo-flow.png'), shot);
        if (process.env.B24_UPDATE_SCREENSHOT === '1') {
            await fs.mkdir(path.dirname(README_SCREENSHOT), { recursive: true });
            await fs.writeFile(README_SCREENSHOT, shot);
        }
    });

    for (const number of ['02', '03', '04', '05', '06']) {
        it(`imports example ${number} into a new flow, keeping the configured portal, and opens each Bitrix24 node's dialog without validation errors`, async () => {
            await editor.importExample(MODULE, title(number), { newFlow: true, skip: [PORTAL] });
            const expected = readExample(EXAMPLES, number).nodes.filter((node) => node.z);
            const onTab = await editor.nodesOnTab();
            assert.deepEqual(onTab.map((node) => node.type).sort(), expected.map((node) => node.type).sort());
            for (const node of onTab.filter((n) => ours(n.type))) {
                await editor.openDialog(node.id);
                assertClean(await editor.report(), `${number}: ${node.type}`);
                opened.add(node.type);
                await editor.cancelDialog();
            }
        });
    }

    it("imports example 07 with its application, opens each Bitrix24 node's dialog clean, and shows the application's URLs instead of the portal's fields", async () => {
        // Its own portal node id, so the one configured above stays as it is.
        const APP = 'b24-example-app';
        const nodes = readExample(EXAMPLES, '07').nodes.map((node) => ({
            ...node,
            id: node.id === PORTAL ? APP : node.id,
            ...(node.portal === PORTAL ? { portal: APP } : {}),
        }));
        await editor.importFlow(nodes, { newFlow: true });
        for (const node of nodes.filter((n) => ours(n.type) && (n as Record<string, unknown>).z)) {
            await editor.openDialog(node.id);
            assertClean(await editor.report(), `07: ${node.type}`);
            opened.add(node.type);
            if (node.type === 'bitrix24-portals') {
                await editor.openConfigDialog('portal');
                const report = await editor.report();
                assertClean(report, '07: the application');
                assert.ok(!report.labels.includes('Portal URL'), `labels: ${report.labels.join(', ')}`);
                assert.equal(
                    await page.locator('#bitrix24-portal-app-install-url').inputValue(),
                    `https://nodered.example.com/bitrix24/app/${APP}/install`,
                );
                assert.equal(
                    await page.locator('#bitrix24-portal-app-event-url').inputValue(),
                    `https://nodered.example.com/bitrix24/app/${APP}/event`,
                );
                await editor.cancelDialog();
            }
            await editor.cancelDialog();
        }
    });

    it('goes back to the first flow through its tab and finds the get node still configured', async () => {
        await editor.openDialog('b24-example-01-get');
        assertClean(await editor.report(), 'bitrix24-offline-get, again');
        await editor.cancelDialog();
        assert.match(await editor.statusText('b24-example-01-clear'), /^cleared \d+/);
    });

    it('marks a filter that a reserving read refuses as invalid in the get dialog, and accepts one it takes', async () => {
        await editor.openDialog('b24-example-01-get');
        // The TypedInput shows its own text input in the row of the hidden #node-input-filter.
        const filter = page
            .locator('.form-row', { has: page.locator('#node-input-filter') })
            .locator('input.red-ui-typedInput-input');
        await filter.fill('{"%EVENT_NAME":"ONCRM"}');
        await filter.press('Tab');
        const refused = await editor.report();
        await filter.fill('{"EVENT_NAME":"ONCRMDEALUPDATE"}');
        await filter.press('Tab');
        const accepted = await editor.report();
        await editor.cancelDialog();
        assert.notDeepEqual(refused.invalid, [], 'the % filter is marked invalid');
        assert.deepEqual(accepted.invalid, []);
    });

    it("tests a webhook portal's connection without saying that offline events are allowed", async () => {
        await editor.importFlow(webhookFlow(emulator.portalUrl));
        await editor.openDialog('b24-webhook-call');
        await editor.openConfigDialog('portal');
        await editor.fill('#node-config-input-webhookUrl', emulator.webhookUrl);
        await editor.confirmDialog();
        await editor.confirmDialog();
        await editor.deploy();
        await editor.openDialog('b24-webhook-call');
        await editor.openConfigDialog('portal');
        await page.locator('#bitrix24-portal-test').click();
        const result = page.locator('#bitrix24-portal-test-result');
        await result.getByText(/Connected as/).waitFor();
        const lines = await result.locator('.bitrix24-portal-result-line').allInnerTexts();
        assert.ok(
            lines.some((text) => /Webhook auth: offline events and bindings fail/.test(text)),
            lines.join('\n'),
        );
        assert.ok(!lines.some((text) => /Administrator/.test(text)), lines.join('\n'));
    });

    it('marks a get node whose portal uses a webhook with the red triangle and the reason before any deploy, and leaves a call node on that portal valid', async () => {
        await editor.importFlow([
            {
                ...CONTRACT['bitrix24-offline-get'],
                id: 'b24-webhook-get',
                type: 'bitrix24-offline-get',
                portal: WEBHOOK_PORTAL,
                x: 200,
                y: 80,
                wires: [[], []],
            },
        ]);
        const get = await editor.invalidity('b24-webhook-get');
        assert.equal(get.triangle, true, 'the red triangle on the get node');
        assert.ok(
            get.reasons.some((reason) => /offline events and offline bindings need OAuth/.test(reason)),
            `the reason: ${get.reasons.join('; ')}`,
        );
        assert.deepEqual(await editor.invalidity('b24-webhook-call'), { triangle: false, reasons: [] });
    });

    it('has opened the dialog of every node type, and the page raised no errors', () => {
        assert.deepEqual([...opened].sort(), [
            'bitrix24-bind',
            'bitrix24-call',
            'bitrix24-enrich',
            'bitrix24-offline-clear',
            'bitrix24-offline-error',
            'bitrix24-offline-get',
            'bitrix24-offline-list',
            'bitrix24-onoffline-trigger',
            'bitrix24-portal',
            'bitrix24-portals',
        ]);
        assert.deepEqual(pageErrors, []);
    });
});
