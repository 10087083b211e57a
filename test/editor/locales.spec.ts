import assert from 'node:assert/strict';

import {
    catalog,
    describeEachNodeType,
    editorHtml,
    flatten,
    helpHtml,
    javascriptBlocks,
    LANGUAGES,
    PORTS,
    requireBuild,
    scriptBlocks,
    template,
} from './editor-files';
import type { Language, NodeType } from './editor-files';

// Node-RED's help style guide names the sections; the Russian core help uses these headings.
const SECTIONS: Record<Language, { inputs: string; outputs: string; details: string; references: string }> = {
    'en-US': { inputs: 'Inputs', outputs: 'Outputs', details: 'Details', references: 'References' },
    ru: { inputs: 'Принимает', outputs: 'Выводит', details: 'Подробности', references: 'Ссылки' },
};

async function keysOf(language: Language, type: NodeType): Promise<string[]> {
    return [...flatten(await catalog(language, type)).keys()].sort();
}

async function helpBlock(language: Language, type: NodeType): Promise<string> {
    const block = scriptBlocks(await helpHtml(language, type)).find((script) =>
        script.attributes.includes(`data-help-name="${type}"`),
    );
    return block ? block.body : '';
}

function headings(help: string): string[] {
    return [...help.matchAll(/<h3>([^<]*)<\/h3>/g)].map((match) => match[1].trim());
}

function firstParagraph(help: string): string {
    const match = /<p>([\s\S]*?)<\/p>/.exec(help);
    return match ? match[1].replace(/<[^>]+>/g, '').trim() : '';
}

/** The `data-i18n` keys of a form, without their `[attribute]` prefixes. */
async function templateKeys(type: NodeType): Promise<string[]> {
    return [...(await template(type)).matchAll(/data-i18n="([^"]*)"/g)].flatMap((match) =>
        match[1].split(';').map((entry) => entry.replace(/^\[[^\]]*\]/, '')),
    );
}

/** Keys named in the definition code: every string literal that starts with a node type (icons aside). */
async function codeKeys(type: NodeType): Promise<string[]> {
    return javascriptBlocks(await editorHtml(type)).flatMap((code) =>
        [...code.matchAll(/['"](bitrix24-[a-z0-9-]+\.[A-Za-z0-9_.]+)['"]/g)]
            .map((match) => match[1])
            .filter((literal) => !literal.endsWith('.svg')),
    );
}

/** English words left in a string once code, URLs, placeholders and identifiers are taken out. */
function englishWords(text: string): string[] {
    const prose = text
        .replace(/<code>[\s\S]*?<\/code>/g, ' ')
        .replace(/<[^>]+>/g, ' ')
        .replace(/https?:\/\/\S+/g, ' ')
        .replace(/__\w+__/g, ' ')
        .replace(/\S*[._\d]\S*/g, ' ');
    return prose.match(/\b[a-z]{3,}\b/g) ?? [];
}

/** Where a node's editor side uses catalog keys, and what to say when it uses none. */
const KEY_SOURCES: [title: string, keysUsed: (type: NodeType) => Promise<string[]>, none: string][] = [
    ['finds every data-i18n key of its form in the catalog', templateKeys, 'the form uses no data-i18n keys'],
    [
        'finds every key its editor code translates in the catalog',
        codeKeys,
        'the editor code translates nothing',
    ],
];

describe('editor locales', () => {
    requireBuild();

    describeEachNodeType((type) => {
        it('has the same catalog keys in Russian as in English', async () => {
            assert.deepEqual(await keysOf('ru', type), await keysOf('en-US', type));
        });

        for (const language of LANGUAGES) {
            it(`has no empty or non-text entries in the ${language} catalog`, async () => {
                const bad = [...flatten(await catalog(language, type))].filter(
                    ([, value]) => typeof value !== 'string' || value.trim() === '',
                );
                assert.deepEqual(
                    bad.map(([key]) => key),
                    [],
                );
            });

            it(`keeps its ${language} messages under the type, with status and errors sections for the runtime`, async () => {
                const section = (await catalog(language, type))[type];
                assert.ok(section && typeof section === 'object', `no "${type}" section`);
                assert.equal(typeof section.paletteLabel, 'string');
                assert.equal(typeof section.status, 'object');
                assert.equal(typeof section.errors, 'object');
            });

            it(`has ${language} help whose first paragraph gives the palette tooltip`, async () => {
                assert.notEqual(firstParagraph(await helpBlock(language, type)), '');
            });

            const ports = PORTS[type];
            const expected = [
                ...(ports.inputs > 0 ? [SECTIONS[language].inputs] : []),
                ...(ports.outputs > 0 ? [SECTIONS[language].outputs] : []),
                SECTIONS[language].details,
                SECTIONS[language].references,
            ];
            it(`has ${language} help with the sections ${expected.join(', ')}`, async () => {
                const found = headings(await helpBlock(language, type));
                assert.deepEqual(
                    expected.filter((heading) => !found.includes(heading)),
                    [],
                );
            });
        }

        it('reads Russian in the Russian catalog, not copied English', async () => {
            const copied = [...flatten(await catalog('ru', type))].filter(
                ([, value]) =>
                    typeof value === 'string' && !/[а-яё]/i.test(value) && englishWords(value).length > 0,
            );
            assert.deepEqual(
                copied.map(([key, value]) => `${key}: ${String(value)}`),
                [],
            );
        });

        it('reads Russian in the Russian help', async () => {
            const tooltip = firstParagraph(await helpBlock('ru', type));
            assert.match(tooltip, /[а-яё]/i);
            assert.deepEqual(englishWords(tooltip), []);
        });

        for (const [title, keysUsed, none] of KEY_SOURCES) {
            it(title, async () => {
                const keys = new Set(flatten(await catalog('en-US', type)).keys());
                const used = await keysUsed(type);
                assert.ok(used.length > 0, none);
                assert.deepEqual(
                    used.filter((key) => !keys.has(key)),
                    [],
                );
            });
        }

        it('uses only keys of its own namespace in the form and the code', async () => {
            const used = [...(await templateKeys(type)), ...(await codeKeys(type))];
            assert.deepEqual(
                used.filter((key) => !key.startsWith(`${type}.`)),
                [],
            );
        });
    });

    it('describes both outputs of offline get as numbered ports, in both languages', async () => {
        for (const language of LANGUAGES) {
            const ports = /<ol class="node-ports">([\s\S]*?)<\/ol>/.exec(
                await helpBlock(language, 'bitrix24-offline-get'),
            );
            assert.ok(ports, `${language}: no <ol class="node-ports">`);
            assert.equal(ports[1].match(/<li>/g)?.length, 2, language);
        }
    });
});
