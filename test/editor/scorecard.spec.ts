// The Flow Library scorecard (`node-red-dev validate`) rules that need no network, checked the way
// node-red-dev-cli's src/libs/checkpackage.js and checknodes.js check them.
import assert from 'node:assert/strict';
import path from 'node:path';

import * as acorn from 'acorn';
import * as walk from 'acorn-walk';
import { satisfies } from 'semver';

import {
    examples,
    FLOW_TYPES,
    javascriptBlocks,
    NODE_TYPES,
    packageJson,
    readText,
    requireBuild,
    ROOT,
} from './editor-files';

/** Node-RED 5 requires Node >= 22.9 (its engines field); P07 tests the package against that minimum. */
const NODE_RED_5_MIN_NODE = '22.9.0';

interface ParsedDefinition {
    category?: unknown;
    color?: unknown;
    icon?: unknown;
    inputs?: unknown;
    outputs?: unknown;
    defaults?: string[];
    credentials?: string[];
}

interface ParsedFile {
    definitions: Map<string, ParsedDefinition>;
    errors: string[];
}

function keyName(property: acorn.Property | acorn.SpreadElement): string | undefined {
    if (property.type !== 'Property') {
        return undefined;
    }
    return property.key.type === 'Identifier' ? property.key.name : undefined;
}

/** checknodes.js `getNodeDefinitions`: registerType('<literal>', {<object literal>}) in text/javascript blocks. */
async function parseEditorFile(file: string): Promise<ParsedFile> {
    const definitions = new Map<string, ParsedDefinition>();
    const errors: string[] = [];
    for (const code of javascriptBlocks(await readText(file))) {
        const ast = acorn.parse(code, { ecmaVersion: 'latest' });
        walk.simple(ast, {
            CallExpression(call) {
                const callee = call.callee;
                if (callee.type !== 'MemberExpression' || callee.property.type !== 'Identifier') {
                    return;
                }
                if (callee.property.name !== 'registerType') {
                    return;
                }
                const [typeNode, defNode] = call.arguments;
                if (typeNode?.type !== 'Literal' || typeof typeNode.value !== 'string') {
                    errors.push('non-literal');
                    return;
                }
                if (defNode?.type !== 'ObjectExpression') {
                    errors.push('non-objectexpression');
                    return;
                }
                const parsed: ParsedDefinition = {};
                for (const property of defNode.properties) {
                    const name = keyName(property);
                    if (name === undefined || property.type !== 'Property') {
                        errors.push('property without an identifier key');
                        continue;
                    }
                    const value = property.value;
                    if (name === 'defaults' || name === 'credentials') {
                        if (value.type !== 'ObjectExpression') {
                            errors.push(`${name}-not-inline`);
                            continue;
                        }
                        parsed[name] = value.properties.map((entry) => keyName(entry) ?? '?');
                    } else if (['category', 'color', 'icon', 'inputs', 'outputs'].includes(name)) {
                        if (value.type !== 'Literal') {
                            errors.push(`${name}-not-inline`);
                            continue;
                        }
                        parsed[name as 'category' | 'color' | 'icon' | 'inputs' | 'outputs'] = value.value;
                    }
                }
                definitions.set(typeNode.value, parsed);
            },
        });
    }
    return { definitions, errors };
}

/** The editor files the scorecard reads: each node-red.nodes entry with .js turned into .html. */
async function scorecardFiles(): Promise<Map<string, ParsedFile>> {
    const files = new Map<string, ParsedFile>();
    for (const [set, js] of Object.entries((await packageJson())['node-red'].nodes)) {
        files.set(set, await parseEditorFile(path.join(ROOT, js.replace('.js', '.html'))));
    }
    return files;
}

async function installedNodeRedVersion(): Promise<string> {
    const pkg = JSON.parse(await readText(path.join(ROOT, 'node_modules', 'node-red', 'package.json'))) as {
        version: string;
    };
    return pkg.version;
}

describe('Flow Library scorecard (offline rules)', () => {
    requireBuild();

    it('P01: declares a licence', async () => {
        assert.ok((await packageJson()).license);
    });

    it('P03: says where to report bugs', async () => {
        const pkg = await packageJson();
        assert.ok(pkg.repository ?? pkg.bugs);
    });

    it('P04: uses a scoped package name', async () => {
        assert.match((await packageJson()).name, /@[a-z\d][\w-.]+\/[a-z\d][\w-.]*/);
    });

    it('P05: has the node-red keyword', async () => {
        assert.ok((await packageJson()).keywords?.includes('node-red'));
    });

    it('P06: declares a Node-RED version range that the installed Node-RED satisfies', async () => {
        const range = (await packageJson())['node-red'].version;
        const installed = await installedNodeRedVersion();
        assert.ok(range, 'node-red.version is missing');
        assert.ok(satisfies(installed, range), `${installed} is outside ${range}`);
    });

    it(`P07: accepts Node ${NODE_RED_5_MIN_NODE}, the minimum Node of Node-RED 5`, async () => {
        const range = (await packageJson()).engines?.node;
        assert.ok(range, 'engines.node is missing');
        assert.ok(satisfies(NODE_RED_5_MIN_NODE, range), `${NODE_RED_5_MIN_NODE} is outside ${range}`);
    });

    it('D01: has at most 6 dependencies', async () => {
        assert.ok(Object.keys((await packageJson()).dependencies ?? {}).length <= 6);
    });

    it('ships the build and the examples in the package', async () => {
        const files = (await packageJson()).files ?? [];
        assert.ok(files.includes('dist') && files.includes('examples'), JSON.stringify(files));
    });

    it('finds one editor file per node set, each registering the type of its set', async () => {
        const files = await scorecardFiles();
        assert.deepEqual([...files.keys()].sort(), [...NODE_TYPES].sort());
        for (const [set, parsed] of files) {
            assert.deepEqual([...parsed.definitions.keys()], [set]);
        }
    });

    it('reads category, colour, icon, inputs, outputs, defaults and credentials as literals', async () => {
        for (const [set, parsed] of await scorecardFiles()) {
            assert.deepEqual(parsed.errors, [], set);
            const def = parsed.definitions.get(set);
            assert.ok(def, set);
            assert.equal(typeof def.category, 'string', set);
            assert.equal(typeof def.color, 'string', set);
            assert.ok(def.defaults && def.defaults.length > 0, set);
            if (def.category !== 'config') {
                assert.equal(typeof def.icon, 'string', set);
                assert.equal(typeof def.inputs, 'number', set);
                assert.equal(typeof def.outputs, 'number', set);
            }
        }
    });

    it('N02: uses every non-config node type in some example', async () => {
        const flowTypes = [...(await scorecardFiles())]
            .filter(([set, parsed]) => parsed.definitions.get(set)?.category !== 'config')
            .map(([set]) => set);
        assert.deepEqual(flowTypes.sort(), [...FLOW_TYPES].sort());
        const used = new Set((await examples()).flatMap((example) => example.nodes.map((node) => node.type)));
        assert.deepEqual(
            flowTypes.filter((type) => !used.has(type)),
            [],
        );
    });
});
