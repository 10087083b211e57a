// Callbacks passed to evaluate() run in the page, where the DOM exists.
/// <reference lib="dom" />
import type { Locator, Page } from 'playwright-core';

/** Node-RED's palette breaks a label into lines at this width (editor-client palette.js, setLabel). */
export const PALETTE_LINE_WIDTH = 82;

/** A palette node's label as the editor lays it out. */
export interface PaletteLabel {
    type: string;
    text: string;
    /** Lines the label takes in its palette node. */
    lines: number;
    /** Width of the whole label on one line, in the palette label's font. */
    width: number;
}

/** A catalog key shown instead of its text, e.g. `bitrix24-offline-get.label.mode`. */
const RAW_KEY = /\b(bitrix24-[a-z0-9-]+|node-red:[a-z]+)\.[a-zA-Z]+(\.[\w-]+)+/;

export interface DialogReport {
    /** Texts of the form's labels. */
    labels: string[];
    /** Catalog keys shown as they are (text, placeholders, titles). */
    rawKeys: string[];
    /** Ids of the inputs the editor marks invalid. */
    invalid: string[];
}

/**
 * The Node-RED editor as a person uses it: menus, dialogs and the canvas. Only what cannot be
 * clicked (reading the editor's model for assertions) goes through `RED` in the page.
 */
export class EditorPage {
    constructor(readonly page: Page) {}

    /** Opens the editor and waits for `readyType` in the palette (`inject` for a runtime without this package). */
    async open(url: string, readyType = 'bitrix24-offline-get'): Promise<void> {
        await this.page.goto(url);
        await this.page.waitForSelector(`.red-ui-palette-node[data-palette-type="${readyType}"]`, {
            timeout: 60_000,
        });
    }

    /**
     * Menu ▸ Manage palette ▸ Install ▸ the upload button, the tarball chosen, Upload: the editor
     * POSTs it to the admin API's /nodes and the runtime installs it with npm. Resolves once
     * `readyType` shows in the palette; fails with the editor's error notice when the install fails.
     */
    async installFromFile(tarball: string, readyType: string): Promise<void> {
        await this.page.locator('#red-ui-header-button-sidemenu').click();
        await this.page.locator('#menu-item-edit-palette').click();
        await this.page.locator('#red-ui-tab-install a').click();
        await this.page
            .locator('#red-ui-palette-editor-upload-form input[type="file"]')
            .setInputFiles(tarball);
        await this.page.locator('.red-ui-palette-editor-upload-buttons .primary').click();
        const installed = this.page.locator(`.red-ui-palette-node[data-palette-type="${readyType}"]`);
        const failed = this.page.locator('.red-ui-notification.error');
        await installed.or(failed).first().waitFor({ timeout: 120_000 });
        if (await failed.isVisible()) throw new Error(`install failed: ${await failed.innerText()}`);
        await this.page.locator('#node-dialog-ok').click(); // Close of the settings tray
        await this.page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    }

    /** Types the editor has registered, each with its category (`config` for config nodes). */
    async registeredTypes(types: string[]): Promise<Record<string, string | null>> {
        return this.page.evaluate((names) => {
            const RED = (window as unknown as { RED: EditorRed }).RED;
            return Object.fromEntries(names.map((name) => [name, RED.nodes.getType(name)?.category ?? null]));
        }, types);
    }

    /** The labels of the palette nodes whose type starts with `prefix`, measured where the editor shows them. */
    async paletteLabels(prefix: string): Promise<PaletteLabel[]> {
        return this.page
            .locator(`.red-ui-palette-node[data-palette-type^="${prefix}"]`)
            .evaluateAll((nodes) =>
                nodes.map((node) => {
                    const label = node.querySelector('.red-ui-palette-label');
                    const range = document.createRange();
                    if (label) range.selectNodeContents(label);
                    const tops = new Set(
                        Array.from(range.getClientRects()).map((rect) => Math.round(rect.top)),
                    );
                    // The whole label on one line, in the palette label's font.
                    const probe = document.createElement('span');
                    probe.className = 'red-ui-palette-label';
                    probe.style.cssText = 'position: absolute; white-space: nowrap; visibility: hidden';
                    probe.textContent = node.getAttribute('data-palette-label') ?? '';
                    node.appendChild(probe);
                    const width = Math.ceil(probe.getBoundingClientRect().width);
                    probe.remove();
                    return {
                        type: node.getAttribute('data-palette-type') ?? '',
                        text: node.getAttribute('data-palette-label') ?? '',
                        lines: tops.size,
                        width,
                    };
                }),
            );
    }

    /** Import ▸ Examples ▸ <module> ▸ <example>; `skip` lists node ids that already exist and stay. */
    async importExample(
        module: string,
        example: string,
        options: { newFlow?: boolean; skip?: string[] } = {},
    ): Promise<void> {
        await this.page.locator('#red-ui-header-button-sidemenu').click();
        await this.page.locator('#menu-item-import').click();
        await this.page.locator('#red-ui-clipboard-dialog-import-tabs').getByText('Examples').click();
        const tree = this.page.locator('#red-ui-clipboard-dialog-import-tab-examples');
        const item = tree.getByText(example, { exact: true });
        // The tree keeps its state between openings: open the module only when it is closed.
        if (!(await item.isVisible())) await tree.getByText(module, { exact: true }).click();
        await item.click();
        if (options.newFlow) await this.page.locator('#red-ui-clipboard-dialog-import-opt-new').click();
        // Enabled once the editor has fetched the example: slow on a busy machine.
        await this.page.locator('#red-ui-clipboard-dialog-ok:not([disabled])').click({ timeout: 90_000 });
        if (options.skip?.length) {
            // Some nodes exist already: the editor says so; "View nodes..." lists them with a
            // checkbox each, and unticked ones are not imported.
            await this.page.locator('.red-ui-notification').getByText('View nodes...').click();
            const conflicts = this.page.locator('#red-ui-clipboard-dialog-import-conflicts-list');
            for (const id of options.skip)
                await conflicts
                    .locator(`.red-ui-clipboard-dialog-import-conflicts-gutter input[data-node-id="${id}"]`)
                    .uncheck();
            await this.page.locator('#red-ui-clipboard-dialog-import-conflict').click(); // Import selected
        }
        await this.page.locator('#red-ui-clipboard-dialog').waitFor({ state: 'hidden' });
        // The imported nodes hang on the pointer until a click drops them.
        await this.page.locator('#red-ui-workspace-chart').click({ position: { x: 40, y: 40 } });
    }

    /**
     * Import ▸ Clipboard with the flow's JSON pasted, into a new flow tab (`newFlow`, default) or
     * the current one; tab nodes in the JSON become tabs of their own either way.
     */
    async importFlow(nodes: Record<string, unknown>[], options: { newFlow?: boolean } = {}): Promise<void> {
        await this.page.locator('#red-ui-header-button-sidemenu').click();
        await this.page.locator('#menu-item-import').click();
        await this.page.locator('#red-ui-tab-red-ui-clipboard-dialog-import-tab-clipboard a').click();
        const text = this.page.locator('#red-ui-clipboard-dialog-import-text');
        await text.fill(JSON.stringify(nodes));
        await text.press('End'); // the editor checks the JSON on keyup, and enables Import
        if (options.newFlow ?? true)
            await this.page.locator('#red-ui-clipboard-dialog-import-opt-new').click();
        await this.page.locator('#red-ui-clipboard-dialog-ok').click();
        await this.page.locator('#red-ui-clipboard-dialog').waitFor({ state: 'hidden' });
        // The imported nodes hang on the pointer until a click drops them.
        await this.page.locator('#red-ui-workspace-chart').click({ position: { x: 40, y: 40 } });
    }

    /** Whether the node shows the red triangle of a node with invalid properties, and the reasons. */
    async invalidity(id: string): Promise<{ triangle: boolean; reasons: string[] }> {
        await this.showTabOf(id);
        const triangle = await this.node(id).locator('.red-ui-flow-node-error').isVisible();
        const reasons = await this.page.evaluate((nodeId) => {
            const RED = (window as unknown as { RED: EditorRed }).RED;
            return RED.nodes.node(nodeId)?.validationErrors ?? [];
        }, id);
        return { triangle, reasons };
    }

    /** Whether the editor's model holds a config node (not on the canvas) valid, and the reasons. */
    async configValidity(id: string): Promise<{ valid: boolean; reasons: string[] }> {
        return this.page.evaluate((nodeId) => {
            const RED = (window as unknown as { RED: EditorRed }).RED;
            const node = RED.nodes.node(nodeId);
            if (!node) throw new Error(`no node ${nodeId} in the editor`);
            return { valid: node.valid !== false, reasons: node.validationErrors ?? [] };
        }, id);
    }

    node(id: string): Locator {
        return this.page.locator(`#red-ui-workspace-chart g.red-ui-flow-node-group[id="${id}"]`);
    }

    /** Double-clicks a node on the canvas and waits for its edit tray. */
    async openDialog(id: string): Promise<void> {
        await this.showTabOf(id);
        await this.node(id).locator('.red-ui-flow-node').dblclick();
        await this.page.locator('#node-dialog-ok').waitFor();
        await this.settle();
    }

    /** From an open node dialog, the pencil beside a config-node field: opens that node's dialog. */
    async openConfigDialog(property: string): Promise<void> {
        // The pencil is node-input-btn-<property>-edit since Node-RED 4, node-input-lookup-<property> before.
        await this.page.locator(`#node-input-btn-${property}-edit, #node-input-lookup-${property}`).click();
        await this.page.locator('#node-config-dialog-ok').waitFor();
        await this.settle();
    }

    /** What the open tray (the topmost one) shows. */
    async report(): Promise<DialogReport> {
        const tray = this.page.locator('.red-ui-tray').last();
        const form = tray.locator('.red-ui-tray-body');
        const labels = (await form.locator('.form-row label[for]:visible').allInnerTexts()).map((t) =>
            t.trim(),
        );
        const texts = [
            await form.innerText(),
            ...(await form
                .locator('[placeholder]')
                .evaluateAll((els) => els.map((el) => el.getAttribute('placeholder') ?? ''))),
            ...(await form
                .locator('[title]')
                .evaluateAll((els) => els.map((el) => el.getAttribute('title') ?? ''))),
        ];
        const rawKeys = texts.flatMap((text) => text.match(new RegExp(RAW_KEY, 'g')) ?? []);
        const invalid = await form
            .locator('.input-error')
            .evaluateAll((els) =>
                els
                    .filter((el) => (el as HTMLElement).offsetParent !== null)
                    .map((el) => el.id || el.getAttribute('class') || el.tagName),
            );
        return { labels, rawKeys, invalid };
    }

    async fill(selector: string, value: string): Promise<void> {
        await this.page.locator(selector).fill(value);
    }

    /** Done / Update of the topmost tray. */
    async confirmDialog(): Promise<void> {
        const config = this.page.locator('#node-config-dialog-ok');
        if (await config.isVisible()) {
            await config.click();
            await config.waitFor({ state: 'detached' });
        } else {
            await this.page.locator('#node-dialog-ok').click();
            await this.page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
        }
        await this.settle();
    }

    /** After a failed step: cancels the import dialog and every open tray, topmost first. */
    async closeEverything(): Promise<void> {
        const cancelImport = this.page.locator('#red-ui-clipboard-dialog-cancel');
        if (await cancelImport.isVisible()) await cancelImport.click();
        while ((await this.page.locator('.red-ui-tray').count()) > 0) await this.cancelDialog();
    }

    async cancelDialog(): Promise<void> {
        const config = this.page.locator('#node-config-dialog-cancel');
        if (await config.isVisible()) {
            await config.click();
            await config.waitFor({ state: 'detached' });
        } else {
            await this.page.locator('#node-dialog-cancel').click();
            await this.page.locator('#node-dialog-cancel').waitFor({ state: 'detached' });
        }
        await this.settle();
    }

    /** The Deploy button, then the editor's "deployed" notice (`notice`: in the editor's language). */
    async deploy(notice = /deployed/i): Promise<void> {
        await this.page.locator('#red-ui-header-button-deploy').click();
        await this.page.locator('.red-ui-notification').filter({ hasText: notice }).first().waitFor();
    }

    /**
     * A picture of the flow shown now: nothing selected, palette and sidebar hidden (their
     * keyboard shortcuts), cut to the nodes and their status badges. Restores the layout after.
     */
    async screenshotFlow(): Promise<Buffer> {
        const chart = this.page.locator('#red-ui-workspace-chart');
        await this.page.keyboard.press('Control+p');
        await this.page.keyboard.press('Control+Space');
        await chart.evaluate((element) => element.scrollTo(0, 0));
        // A click on empty canvas, below the flows, clears the selection.
        await chart.click({ position: { x: 30, y: 700 } });
        await this.page.waitForTimeout(500);
        const area = await chart.evaluate((element) => element.getBoundingClientRect());
        const boxes = await this.page
            .locator(
                '#red-ui-workspace-chart g.red-ui-flow-node-group, #red-ui-workspace-chart .red-ui-flow-node-status-label',
            )
            .evaluateAll((els) => els.map((el) => el.getBoundingClientRect()).filter((box) => box.width > 0));
        const left = Math.max(area.left + 2, Math.min(...boxes.map((box) => box.left)) - 20);
        const top = Math.max(area.top + 2, Math.min(...boxes.map((box) => box.top)) - 20);
        const right = Math.max(...boxes.map((box) => box.right)) + 20;
        const bottom = Math.max(...boxes.map((box) => box.bottom)) + 20;
        const shot = await this.page.screenshot({
            clip: { x: left, y: top, width: right - left, height: bottom - top },
        });
        await this.page.keyboard.press('Control+p');
        await this.page.keyboard.press('Control+Space');
        return shot;
    }

    /** The status text under a node on the canvas. */
    async statusText(id: string): Promise<string> {
        const label = this.node(id).locator('.red-ui-flow-node-status-label');
        return (await label.count()) ? ((await label.textContent()) ?? '') : '';
    }

    /** Node ids and types on the flow tab shown now, from the editor's model. */
    async nodesOnTab(): Promise<{ id: string; type: string }[]> {
        return this.page.evaluate(() => {
            const RED = (window as unknown as { RED: EditorRed }).RED;
            const z = RED.workspaces.active();
            return RED.nodes.filterNodes({ z }).map((n) => ({ id: n.id, type: n.type }));
        });
    }

    /**
     * Shows the flow that holds the node, as a click on its tab does. Through the editor's API:
     * two tab clicks within 400 ms make a double click, which opens the flow's edit tray instead.
     */
    private async showTabOf(id: string): Promise<void> {
        await this.page.evaluate((nodeId) => {
            const RED = (window as unknown as { RED: EditorRed }).RED;
            const z = RED.nodes.node(nodeId)?.z;
            if (z && z !== RED.workspaces.active()) RED.workspaces.show(z);
        }, id);
        await this.node(id).waitFor();
    }

    /** Trays slide in; wait for the animation and the validators. */
    private async settle(): Promise<void> {
        await this.page.waitForTimeout(400);
    }
}

/** The part of the editor's global `RED` these tests read. */
interface EditorRed {
    workspaces: { active(): string; show(id: string): void };
    nodes: {
        node(
            id: string,
        ): { id: string; type: string; z: string; valid?: boolean; validationErrors?: string[] } | null;
        filterNodes(filter: { z?: string }): { id: string; type: string }[];
        getType(type: string): { category: string } | null | undefined;
    };
}
