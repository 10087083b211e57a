// The editor code in resources/: loaded by every node's HTML, defined once, and reading the same
// offline filter rules as the runtime.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

import { OFFLINE_FILTER_RULES, checkFilter, checkOrder } from '../../dist/bitrix24';
import {
    editorHtml,
    loadEditorFile,
    NODE_TYPES,
    packageJson,
    readText,
    requireBuild,
    RESOURCES,
    resourceScripts,
    template,
    validate,
} from './editor-files';
import type { EditorDefinition } from './editor-files';

const SHARED = [
    'bitrix24-editor.js',
    'bitrix24-form.js',
    'bitrix24-offline-editor.js',
    'offline-filter-rules.js',
];
const GLOBALS = ['B24Editor', 'B24Form', 'B24OfflineEditor', 'B24OfflineFilterRules'];

/** Whether the runtime takes a filter or an order, as the nodes call it before a request. */
function runtimeAccepts(check: () => unknown): boolean {
    try {
        check();
        return true;
    } catch {
        return false;
    }
}

async function definitionOf(
    type: 'bitrix24-offline-get' | 'bitrix24-offline-list',
): Promise<EditorDefinition> {
    const found = (await loadEditorFile(type)).registered.get(type);
    assert.ok(found);
    return found;
}

describe('editor resources', () => {
    requireBuild();

    it('loads only scripts of resources/ that package.json ships, each with a relative URL', async () => {
        assert.ok((await packageJson()).files?.includes('resources'));
        for (const type of NODE_TYPES) {
            const files = resourceScripts(await editorHtml(type));
            assert.ok(files.includes('bitrix24-editor.js'), type);
            for (const file of files) assert.ok(existsSync(path.join(RESOURCES, file)), `${type}: ${file}`);
        }
    });

    it('defines each global once: loading the shared scripts again keeps the first definitions', async () => {
        const page = vm.createContext({});
        const load = async () => {
            for (const file of SHARED) vm.runInContext(await readText(path.join(RESOURCES, file)), page);
        };
        await load();
        const first = GLOBALS.map((name) => page[name] as unknown);
        await load();
        assert.ok(first.every((value) => typeof value === 'object' && value !== null));
        assert.deepEqual(
            GLOBALS.filter((name, index) => page[name] !== first[index]),
            [],
        );
    });

    for (const type of NODE_TYPES) {
        it(`builds the same ${type} definition and form whichever order its resource scripts load in`, async () => {
            const reversed = await loadEditorFile(type, 'en-US', (files) => [...files].reverse());
            assert.deepEqual([...reversed.registered.keys()], [type]);
            const form = (reversed.page.B24Form as { template(type: string): unknown } | undefined)?.template(
                type,
            );
            if (form !== undefined) assert.equal(form, await template(type));
        });
    }

    describe('offline filter rules', () => {
        const operators = ['', '=', '>', '<', '>=', '<=', '@', '%', '!', '><'];
        const fields = [...OFFLINE_FILTER_RULES.list.filterFields, 'APP_ID', 'id'];

        it('gives the editor the very rules the runtime checks with', async () => {
            const { page } = await loadEditorFile('bitrix24-offline-get');
            assert.deepEqual(
                JSON.parse(JSON.stringify(page.B24OfflineFilterRules)),
                JSON.parse(JSON.stringify(OFFLINE_FILTER_RULES)),
            );
        });

        for (const [type, method] of [
            ['bitrix24-offline-get', 'get'],
            ['bitrix24-offline-list', 'list'],
        ] as const) {
            it(`accepts in the ${type} form exactly the filters the runtime accepts for event.offline.${method}`, async () => {
                const def = await definitionOf(type);
                const disagreements: string[] = [];
                for (const field of fields) {
                    for (const op of operators) {
                        for (const value of ['1', ['1', '2']]) {
                            const filter = { [`${op}${field}`]: value };
                            const editor = validate(def, 'filter', JSON.stringify(filter)) === true;
                            const runtime = runtimeAccepts(() => checkFilter(filter, method));
                            if (editor !== runtime)
                                disagreements.push(`${JSON.stringify(filter)}: editor ${editor}`);
                        }
                    }
                }
                assert.deepEqual(disagreements, []);
            });

            it(`accepts in the ${type} form exactly the orders the runtime accepts for event.offline.${method}`, async () => {
                const def = await definitionOf(type);
                const disagreements: string[] = [];
                for (const field of fields) {
                    for (const direction of ['ASC', 'desc', 'UP']) {
                        const order = { [field]: direction };
                        const editor = validate(def, 'order', JSON.stringify(order)) === true;
                        const runtime = runtimeAccepts(() => checkOrder(order, method));
                        if (editor !== runtime)
                            disagreements.push(`${JSON.stringify(order)}: editor ${editor}`);
                    }
                }
                assert.deepEqual(disagreements, []);
            });
        }
    });
});
