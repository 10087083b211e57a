import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser } from 'playwright-core';

import { NodeRedProcess } from '../../dist/demo/node-red-process';
import { packTarball, readPackageJson } from '../packaging/package-files';
import { launchChromium } from './chromium';
import { EditorPage, PALETTE_LINE_WIDTH, type PaletteLabel } from './editor-page';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * A newcomer's first minutes: a Node-RED without the package, the packed tarball installed
 * through the editor's palette manager (Install ▸ upload), then the palette in English and Russian.
 */
describe('the packed tarball installed through the palette manager', function () {
    this.timeout(180_000);
    const pkg = readPackageJson(ROOT);
    const types = Object.keys(pkg['node-red'].nodes);
    let tmp = '';
    let browser: Browser | undefined;
    let nodeRed: NodeRedProcess | undefined;

    before(async () => {
        tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'b24-palette-'));
        const { tarball } = await packTarball(ROOT, tmp);
        nodeRed = await NodeRedProcess.start({
            userDir: path.join(tmp, 'user'), // empty: the package is not there
            settings: {
                editorTheme: { tours: false, projects: { enabled: false } },
                externalModules: { palette: { allowInstall: true, allowUpload: true } },
            },
        });
        browser = await launchChromium();
        const page = await browser.newPage({ locale: 'en-US', viewport: { width: 1920, height: 1000 } });
        const editor = new EditorPage(page);
        await editor.open(nodeRed.url, 'inject');
        assert.equal(await page.locator('.red-ui-palette-node[data-palette-type^="bitrix24-"]').count(), 0);
        await editor.installFromFile(tarball, 'bitrix24-offline-get');
        await page.close();
    });

    after(async () => {
        await browser?.close();
        await nodeRed?.stop();
        if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    it('installs the module into the user directory, where the runtime loads every node type without error', async () => {
        const installed = path.join(tmp, 'user', 'node_modules', ...pkg.name.split('/'), 'package.json');
        assert.ok(existsSync(installed), installed);
        const ours = (await (nodeRed as NodeRedProcess).nodeTypes()).filter(
            (node) => node.module === pkg.name,
        );
        assert.deepEqual(ours.map((node) => node.type).sort(), [...types].sort());
        assert.deepEqual(
            ours.filter((node) => !node.enabled || node.err),
            [],
        );
    });

    for (const { locale, language } of [
        { locale: 'en-US', language: /^[\x20-\x7e]+$/ },
        { locale: 'ru-RU', language: /[а-яё]/i },
    ]) {
        it(`shows every node type of the package in the palette in ${locale}, each label on one line`, async () => {
            const page = await (browser as Browser).newPage({
                locale,
                viewport: { width: 1920, height: 1000 },
            });
            try {
                const editor = new EditorPage(page);
                await editor.open((nodeRed as NodeRedProcess).url);
                const categories = await editor.registeredTypes(types);
                assert.deepEqual(
                    types.filter((type) => categories[type] === null),
                    [],
                    'every type registered in the editor',
                );
                // Config nodes (the portal) live in the config-node sidebar, not the palette.
                const inPalette = types.filter((type) => categories[type] !== 'config');
                const labels: PaletteLabel[] = await editor.paletteLabels('bitrix24-');
                assert.deepEqual(labels.map((label) => label.type).sort(), inPalette.sort());
                assert.deepEqual(
                    labels.filter((label) => !language.test(label.text)),
                    [],
                    `labels in ${locale}`,
                );
                assert.deepEqual(
                    labels.filter((label) => label.lines !== 1 || label.width >= PALETTE_LINE_WIDTH),
                    [],
                    JSON.stringify(labels),
                );
            } finally {
                await page.close();
            }
        });
    }
});
