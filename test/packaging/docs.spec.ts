import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const DOCS = path.join(ROOT, 'docs');
const README = path.join(ROOT, 'README.md');
/** Where code lives that may cite the docs. */
const CODE_DIRS = ['src', 'test', 'nodes'];
const README_LIMIT = 25_000;

/**
 * A citation: a doc's path, then one or more section numbers, possibly across a comment's line
 * break: `docs/bitrix24.md §1, §11`, `docs/bitrix24.md §7-§9`, `docs/node-red.md\n * §4.2`.
 * Inside docs/ the prefix may be left out (`bitrix24.md §9`).
 */
const CITATION = /(?<![\w/.-])((?:docs\/)?[\w-]+)\.md((?:(?:\s|\*|\/\/|#|,|-|–|and|or)*§\d+(?:\.\d+)*)+)/g;
const SECTION = /§(\d+(?:\.\d+)*)/g;
/** A section heading: `## §1 title`, `### §0.4 title`. */
const HEADING = /^#{1,6} §(\d+(?:\.\d+)*)\s/gm;
/**
 * The docs whose sections the code cites: a mention of one without a section this test can read
 * would be a citation it misses.
 */
const NUMBERED_DOC = /(?<![\w/.-])docs\/(?:bitrix24|node-red)\.md/g;
/** Where the project's docs used to live: a research folder outside the repository. */
const OUTSIDE =
    /(?<![\w-])reference\/|(?<![\w-])reference (?:node-red\.md )?§|\.\.\/shared\/|\/work\/shared\//;

interface Citation {
    file: string;
    doc: string;
    section: string;
}

async function filesUnder(dir: string, accept: (name: string) => boolean): Promise<string[]> {
    const found: string[] = [];
    if (!existsSync(dir)) return found;
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            if (entry.name !== 'node_modules' && entry.name !== 'output')
                found.push(...(await filesUnder(full, accept)));
        } else if (accept(entry.name)) {
            found.push(full);
        }
    }
    return found;
}

const isText = (name: string) => /\.(ts|js|mjs|json|html|md|sh)$/.test(name);

/** The code that may cite the docs: this checker's own examples are not citations. */
async function codeFiles(): Promise<string[]> {
    const lists = await Promise.all(CODE_DIRS.map((dir) => filesUnder(path.join(ROOT, dir), isText)));
    return lists.flat().filter((file) => path.resolve(file) !== path.resolve(__filename));
}

async function markdownFiles(): Promise<string[]> {
    return [README, ...(await filesUnder(DOCS, (name) => name.endsWith('.md')))];
}

async function citations(files: string[]): Promise<Citation[]> {
    const found: Citation[] = [];
    for (const file of files) {
        const text = await fs.readFile(file, 'utf8');
        const inDocs = path.dirname(file) === DOCS;
        for (const match of text.matchAll(CITATION)) {
            const name = match[1];
            if (!name.startsWith('docs/') && !inDocs) continue;
            const doc = `${name.replace(/^docs\//, '')}.md`;
            for (const [, section] of match[2].matchAll(SECTION)) found.push({ file, doc, section });
        }
    }
    return found;
}

async function sectionsOf(doc: string): Promise<string[]> {
    const text = await fs.readFile(path.join(DOCS, doc), 'utf8');
    return [...text.matchAll(HEADING)].map((match) => match[1]);
}

const relative = (file: string) => path.relative(ROOT, file);

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
    return heading
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-');
}

/** Markdown without code: link-like text inside code is not a link. */
function withoutCode(text: string): string {
    return text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

describe('the docs', function () {
    it('every doc the code cites as docs/<name>.md exists', async () => {
        const missing = (await citations([...(await codeFiles()), ...(await markdownFiles())]))
            .filter((c) => !existsSync(path.join(DOCS, c.doc)))
            .map((c) => `${relative(c.file)}: docs/${c.doc}`);
        assert.deepEqual([...new Set(missing)], []);
    });

    it('every cited section is a heading of the doc it names', async () => {
        const found = await citations([...(await codeFiles()), ...(await markdownFiles())]);
        assert.ok(found.length > 100, `only ${found.length} citations found: is the pattern still right?`);
        const dangling: string[] = [];
        for (const c of found) {
            if (!existsSync(path.join(DOCS, c.doc))) continue;
            if (!(await sectionsOf(c.doc)).includes(c.section)) {
                dangling.push(`${relative(c.file)}: docs/${c.doc} §${c.section}`);
            }
        }
        assert.deepEqual([...new Set(dangling)], []);
    });

    it('every mention of a numbered doc in the code names its sections in a form this test reads', async () => {
        const unread: string[] = [];
        for (const file of await codeFiles()) {
            const text = await fs.readFile(file, 'utf8');
            const read = new Set([...text.matchAll(CITATION)].map((match) => match.index));
            for (const mention of text.matchAll(NUMBERED_DOC)) {
                if (!read.has(mention.index)) {
                    const line = text.slice(0, mention.index).split('\n').length;
                    unread.push(
                        `${relative(file)}:${line}: ${text.slice(mention.index, mention.index + 40)}`,
                    );
                }
            }
        }
        assert.deepEqual(unread, []);
    });

    it('no doc has two headings with the same section number', async () => {
        const twice: string[] = [];
        for (const file of await filesUnder(DOCS, (name) => name.endsWith('.md'))) {
            const sections = await sectionsOf(path.basename(file));
            for (const section of new Set(sections.filter((s, i) => sections.indexOf(s) !== i))) {
                twice.push(`${relative(file)} §${section}`);
            }
        }
        assert.deepEqual(twice, []);
    });

    it('no code or doc points at the research notes outside the repository', async () => {
        const offenders: string[] = [];
        for (const file of [...(await codeFiles()), ...(await markdownFiles())]) {
            const lines = (await fs.readFile(file, 'utf8')).split('\n');
            lines.forEach((line, i) => {
                if (OUTSIDE.test(line)) offenders.push(`${relative(file)}:${i + 1}: ${line.trim()}`);
            });
        }
        assert.deepEqual(offenders, []);
    });

    it('every relative link in the README and docs/ leads to a file, and its #anchor to a heading there', async () => {
        const broken: string[] = [];
        for (const file of await markdownFiles()) {
            const text = withoutCode(await fs.readFile(file, 'utf8'));
            for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
                if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
                const [linkPath, anchor] = target.split('#');
                const destination = linkPath ? path.resolve(path.dirname(file), linkPath) : file;
                if (!existsSync(destination)) {
                    broken.push(`${relative(file)}: ${target}`);
                    continue;
                }
                if (anchor && destination.endsWith('.md')) {
                    const headings = (await fs.readFile(destination, 'utf8')).match(/^#{1,6} .*$/gm) ?? [];
                    const anchors = headings.map((h) => slug(h.replace(/^#+ /, '')));
                    if (!anchors.includes(anchor))
                        broken.push(`${relative(file)}: ${target} (no such heading)`);
                }
            }
        }
        assert.deepEqual(broken, []);
    });

    it(`the README is shorter than ${README_LIMIT.toLocaleString('en')} characters`, async () => {
        const length = (await fs.readFile(README, 'utf8')).length;
        assert.ok(length < README_LIMIT, `README.md has ${length} characters; move detail into docs/`);
    });
});
