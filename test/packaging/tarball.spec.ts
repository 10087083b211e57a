import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { NodeRedProcess } from '../../src/demo/node-red-process';
import {
    exampleNames,
    filesNodeRedNeeds,
    iconNames,
    LANGUAGES,
    isBuiltin,
    packTarball,
    packageOf,
    readPackageJson,
    resourceNames,
    runtimeClosure,
    type PackageJson,
    typesClosure,
} from './package-files';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');

/** Files that belong to the repository, never to the package. */
const NOT_SHIPPED = [
    /^src\//,
    /^test\//,
    /^\.ci\//,
    /node_modules\//,
    /^dist\/demo\//,
    /(?<!\.d)\.ts$/,
    /^\./,
];

describe('the npm tarball', function () {
    this.timeout(120_000);
    const pkg: PackageJson = readPackageJson(ROOT);
    let tmp = '';
    let shipped: string[] = [];
    let tarball = '';

    before(async () => {
        tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'b24-pack-'));
        ({ tarball, files: shipped } = await packTarball(ROOT, tmp));
        assert.ok(existsSync(tarball));
    });

    after(async () => {
        await fs.rm(tmp, { recursive: true, force: true });
    });

    it('ships every file Node-RED loads: the eleven nodes with their editor, help, catalogs and icons, the editor scripts in resources/ and the examples', () => {
        assert.equal(Object.keys(pkg['node-red'].nodes).length, 11);
        const missing = filesNodeRedNeeds(ROOT, pkg).filter((file) => !shipped.includes(file));
        assert.deepEqual(missing, []);
    });

    it('ships the runtime code the nodes, the main entry and the emulator require', () => {
        const closure = runtimeClosure(ROOT, pkg, new Set());
        assert.deepEqual(
            [...closure].filter((file) => !shipped.includes(file)),
            [],
        );
    });

    it('ships nothing else: no sources, tests, CI files, demo or source maps', () => {
        const closure = runtimeClosure(ROOT, pkg, new Set());
        const allowed = new Set([
            ...filesNodeRedNeeds(ROOT, pkg),
            ...closure,
            ...typesClosure(ROOT, closure),
        ]);
        assert.deepEqual(
            shipped.filter((file) => NOT_SHIPPED.some((pattern) => pattern.test(file))),
            [],
        );
        assert.deepEqual(
            shipped.filter((file) => !allowed.has(file)),
            [],
        );
    });

    it('requires at run time only Node.js built-ins, its own files and its dependencies', () => {
        const bare = new Set<string>();
        runtimeClosure(ROOT, pkg, bare);
        const dependencies = Object.keys(pkg.dependencies ?? {});
        assert.deepEqual(
            [...bare].filter((name) => !isBuiltin(name) && !dependencies.includes(packageOf(name))),
            [],
        );
    });
    describe('installed with npm into a fresh Node-RED user directory', function () {
        let nodeRed: NodeRedProcess | undefined;
        let userDir = '';
        const get = async (url: string, headers: Record<string, string> = {}) => {
            const response = await fetch(`${nodeRed?.url}${url}`, { headers });
            assert.equal(response.status, 200, `GET ${url}`);
            return response;
        };

        before(async () => {
            userDir = await fs.mkdtemp(path.join(os.tmpdir(), 'b24-installed-'));
            await fs.writeFile(
                path.join(userDir, 'package.json'),
                JSON.stringify({ name: 'node-red-project', private: true, version: '0.0.1' }),
            );
            await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', tarball], {
                cwd: userDir,
            });
            nodeRed = await NodeRedProcess.start({ userDir });
        });

        after(async () => {
            await nodeRed?.stop();
            await fs.rm(userDir, { recursive: true, force: true });
        });

        it('loads all ten node types from the installed module, none with an error', async () => {
            const ours = (await (nodeRed as NodeRedProcess).nodeTypes()).filter(
                (node) => node.module === pkg.name,
            );
            assert.deepEqual(ours.map((node) => node.type).sort(), Object.keys(pkg['node-red'].nodes).sort());
            assert.deepEqual(
                ours.filter((node) => !node.enabled || node.err),
                [],
            );
        });

        it('serves every icon', async () => {
            const icons = (await (await get('/icons', { Accept: 'application/json' })).json()) as Record<
                string,
                string[]
            >;
            assert.deepEqual([...(icons[pkg.name] ?? [])].sort(), iconNames(ROOT).sort());
            for (const icon of iconNames(ROOT)) {
                const body = await (await get(`/icons/${pkg.name}/${icon}`)).text();
                assert.match(body, /<svg[\s>]/, icon);
            }
        });

        it('serves each editor script of resources/ at resources/<package name>/, as the node HTML loads it', async () => {
            assert.ok(resourceNames(ROOT).length > 0);
            for (const file of resourceNames(ROOT)) {
                const response = await get(`/resources/${pkg.name}/${file}`);
                assert.match(
                    response.headers.get('content-type') ?? '',
                    file.endsWith('.css') ? /text\/css/ : /javascript/,
                    file,
                );
                assert.equal(
                    await response.text(),
                    await fs.readFile(path.join(ROOT, 'resources', file), 'utf8'),
                );
            }
        });

        it('lists the examples under Import > Examples and serves each flow', async () => {
            const listed = (await (await get(`/library/examples/flows/${pkg.name}`)).json()) as unknown[];
            const names = exampleNames(ROOT).map((file) => file.slice(0, -'.json'.length));
            const files = listed.filter((entry): entry is { fn: string } => typeof entry === 'object');
            assert.deepEqual(files.map((entry) => entry.fn).sort(), names.sort());
            for (const name of names) {
                const flow = JSON.parse(
                    await (
                        await get(`/library/examples/flows/${pkg.name}/${encodeURIComponent(name)}`)
                    ).text(),
                ) as unknown[];
                assert.ok(Array.isArray(flow) && flow.length > 0, name);
            }
        });

        for (const lang of LANGUAGES) {
            it(`has help for every node and its message catalog in ${lang}`, async () => {
                const html = await (
                    await get('/nodes', { Accept: 'text/html', 'Accept-Language': lang })
                ).text();
                const catalogs = (await (await get(`/nodes/messages?lng=${lang}`)).json()) as Record<
                    string,
                    Record<string, unknown>
                >;
                // Each node set is named after its one type, and its catalog is `<module>/<set>`.
                for (const type of Object.keys(pkg['node-red'].nodes)) {
                    const help = new RegExp(`data-help-name="${type}"[^>]*>([\\s\\S]*?)</script>`).exec(html);
                    assert.ok(help && help[1].trim().length > 100, `help of ${type}`);
                    if (lang === 'ru') assert.match(help[1], /[а-яА-Я]/, `help of ${type} in Russian`);
                    assert.ok(catalogs[`${pkg.name}/${type}`]?.[type], `catalog of ${type}`);
                }
            });
        }
    });
});
