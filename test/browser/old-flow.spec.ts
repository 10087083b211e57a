import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { Page } from 'playwright-core';

import type { EditorPage } from './editor-page';
import { useEditorOnRuntime } from './editor-session';

/**
 * The six example flows as the first release shipped them (commit 9b80168), each on its tab as a
 * saved flows.json holds it, the shared portal once: its OAuth URL is still the fixed
 * https://oauth.bitrix.info that later versions replaced with an empty default (the region's).
 */
const OLD_FLOWS = JSON.parse(
    readFileSync(path.join(__dirname, 'fixtures', 'first-release-flows.json'), 'utf8'),
) as { id: string; type: string; z?: string }[];

/** Someone upgrades the package and imports a flow an older version saved. */
describe('a flow saved by the first release, imported in the editor of this version', function () {
    this.timeout(180_000);
    let page: Page;
    let editor: EditorPage;

    useEditorOnRuntime('en-US', async (session) => {
        ({ page, editor } = session);
        await editor.importFlow(OLD_FLOWS, { newFlow: false });
        // The "Imported: 6 flows" notice covers flow tabs the test clicks; it closes by itself.
        await page.locator('.red-ui-notification').first().waitFor({ state: 'detached', timeout: 20_000 });
    });

    it('shows no node of the flow with the red triangle of invalid properties', async () => {
        const invalid: { id: string; reasons: string[] }[] = [];
        let shown: string | undefined;
        for (const node of OLD_FLOWS.filter((n) => n.z)) {
            // Two clicks on flow tabs within 400 ms make a double click, which opens the flow's
            // edit tray (editor-client tabs.js): the next tab is clicked after a pause.
            if (shown && node.z !== shown) await page.waitForTimeout(500);
            shown = node.z;
            const { triangle, reasons } = await editor.invalidity(node.id).catch((error: Error) => {
                throw new Error(`${node.type} ${node.id} on ${node.z}: ${error.message.split('\n')[0]}`);
            });
            if (triangle || reasons.length) invalid.push({ id: node.id, reasons });
        }
        assert.deepEqual(invalid, []);
    });

    it('holds its portal config node valid with the OAuth URL it was saved with', async () => {
        const portals = OLD_FLOWS.filter((node) => node.type === 'bitrix24-portal');
        assert.equal(portals.length, 1);
        assert.deepEqual(await editor.configValidity(portals[0].id), { valid: true, reasons: [] });
    });

    it('deploys without the warning about nodes that are not properly configured', async () => {
        await editor.deploy();
    });
});
