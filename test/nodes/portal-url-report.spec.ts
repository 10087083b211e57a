import assert from 'node:assert/strict';

import { catalog, translate, type NodeType } from '../editor/editor-files';
import { NodeRedComms } from '../helpers/node-red-comms';
import { startRuntime } from '../helpers/node-red-runtime';

const NAMESPACE = '@b24sync/node-red-bitrix24/';

/**
 * A portal URL typed without its scheme, in a real Node-RED: the get node's reader retries in the
 * background (redeliverAfter 1 s: a watch tick every 250 ms, an orphan scan every 5 s), and the
 * user should read the mistake once, in words, with badges the editor can translate.
 */
describe('a portal URL without http(s):// in a real Node-RED runtime', function () {
    this.timeout(90_000);
    let stop: (() => Promise<void>) | undefined;
    let comms: NodeRedComms | undefined;
    let lines: string[] = [];

    before(async () => {
        const started = await startRuntime({ logging: { console: { level: 'warn' } } });
        stop = started.stop;
        lines = started.runtime.lines;
        comms = await NodeRedComms.connect(started.runtime.url);
        await started.runtime.deploy([
            { id: 'tab1', type: 'tab', label: 'bad URL' },
            { id: 'portal1', type: 'bitrix24-portal', portalUrl: 'mycompany.bitrix24.ru' },
            {
                id: 'get1',
                type: 'bitrix24-offline-get',
                z: 'tab1',
                portal: 'portal1',
                redeliverAfter: 1,
                wires: [[], []],
            },
        ]);
        // Two orphan scans and a few dozen watch ticks.
        await new Promise((resolve) => setTimeout(resolve, 11_000));
    });

    after(async () => {
        await comms?.close();
        await stop?.();
    });

    it('logs the mistake once, from the portal node, as the translated sentence', () => {
        const reports = lines.filter((line) => /portal URL must be/.test(line));
        assert.equal(reports.length, 1, reports.join('\n'));
        assert.match(
            reports[0],
            /\[error\] \[bitrix24-portal:portal1\] The portal URL must be an http\(s\) URL such as https:\/\/example\.bitrix24\.com\./,
        );
    });

    it('shows the get node its failure on the badge once, not at every retry', () => {
        assert.equal(comms?.history.get('get1')?.length, 1, String(comms?.history.get('get1')));
    });

    for (const [id, type] of [
        ['portal1', 'bitrix24-portal'],
        ['get1', 'bitrix24-offline-get'],
    ] as const) {
        it(`gives ${type}'s badge a catalog key that reads as Russian in a Russian editor`, async () => {
            const text = comms?.statuses.get(id)?.text ?? '';
            const russian = await editorTranslation(text, type, 'ru');
            assert.match(russian, /^[а-яё ]+$/i, `${text} -> ${russian}`);
            assert.equal(russian, 'ошибка настройки');
        });
    }
});

/**
 * What the editor shows for a status text: a text that is a key is translated in the node's
 * namespace unless it names its own (`<namespace>:<key>`); anything else is shown as it is.
 */
async function editorTranslation(text: string, type: NodeType, language: 'ru'): Promise<string> {
    const [namespace, key] = text.includes(':') ? text.split(':') : [NAMESPACE + type, text];
    if (!namespace.startsWith(NAMESPACE)) return text;
    return translate(await catalog(language, namespace.slice(NAMESPACE.length)), key);
}
