// Callbacks passed to evaluate() run in the page, where the DOM exists.
/// <reference lib="dom" />
import assert from 'node:assert/strict';

import { CONTRACT, FLOW_TYPES } from '../editor/editor-files';
import { until } from '../helpers/emulator-flow';
import { PALETTE_LINE_WIDTH, type EditorPage } from './editor-page';
import { useEditorOnRuntime } from './editor-session';

/** A portal that has no tokens yet, and a get node that reads through it, as the editor saves them. */
const UNAUTHORISED_FLOW = [
    {
        ...CONTRACT['bitrix24-portal'],
        id: 'b24-ru-portal',
        type: 'bitrix24-portal',
        name: 'Без токенов',
        portalUrl: 'https://example.bitrix24.com',
    },
    {
        ...CONTRACT['bitrix24-offline-get'],
        id: 'b24-ru-get',
        type: 'bitrix24-offline-get',
        portal: 'b24-ru-portal',
        x: 200,
        y: 80,
        wires: [[], []],
    },
];

/**
 * The editor of a Russian user (the browser's language is ru; the runtime speaks English, as a
 * server's locale often does): what it shows must be Russian and fit where Node-RED puts it.
 */
describe('the editor in a real browser, in Russian', function () {
    this.timeout(120_000);
    let editor: EditorPage;

    useEditorOnRuntime('ru-RU', (session) => {
        editor = session.editor;
    });

    it('fits every Bitrix24 palette label on one line of its palette node', async () => {
        const labels = await editor.paletteLabels('bitrix24-');
        assert.equal(labels.length, FLOW_TYPES.length, JSON.stringify(labels));
        assert.ok(
            labels.every((label) => /[а-я]/i.test(label.text)),
            JSON.stringify(labels),
        );
        const overflowing = labels.filter((label) => label.lines !== 1 || label.width >= PALETTE_LINE_WIDTH);
        assert.deepEqual(overflowing, [], JSON.stringify(labels));
    });

    it('shows the status badge of a node the runtime reports in English in Russian', async () => {
        await editor.importFlow(UNAUTHORISED_FLOW);
        await editor.deploy(/Успешно развернуто/);
        await until(
            async () => (await editor.statusText('b24-ru-get')) === 'нет авторизации',
            30_000,
            'the get node badge in Russian',
        );
    });

    it('marks a get node whose portal uses a webhook as invalid, saying why in Russian', async () => {
        await editor.importFlow([
            { ...UNAUTHORISED_FLOW[0], id: 'b24-ru-webhook', authType: 'webhook' },
            { ...UNAUTHORISED_FLOW[1], id: 'b24-ru-webhook-get', portal: 'b24-ru-webhook' },
        ]);
        const get = await editor.invalidity('b24-ru-webhook-get');
        assert.equal(get.triangle, true, 'the red triangle on the get node');
        assert.ok(
            get.reasons.some((reason) => /офлайн-события и офлайн-подписки требуют/.test(reason)),
            `the reason: ${get.reasons.join('; ')}`,
        );
    });
});
