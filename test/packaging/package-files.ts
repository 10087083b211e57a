import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';

export interface PackageJson {
    name: string;
    main: string;
    bin?: Record<string, string>;
    files: string[];
    dependencies?: Record<string, string>;
    'node-red': { version: string; nodes: Record<string, string> };
}

export const LANGUAGES = ['en-US', 'ru'];

export interface PackedTarball {
    /** Absolute path of the .tgz. */
    tarball: string;
    /** The files it holds, sorted. */
    files: string[];
}

/** `npm pack` of the built package (no prepack build: build first) into `destination`. */
export async function packTarball(root: string, destination: string): Promise<PackedTarball> {
    if (!existsSync(path.join(root, 'dist/nodes'))) throw new Error('build first: npm run build');
    const { stdout } = await promisify(execFile)(
        'npm',
        ['pack', '--json', '--ignore-scripts', '--pack-destination', destination],
        { cwd: root },
    );
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    return {
        tarball: path.join(destination, packed.filename),
        files: packed.files.map((file) => file.path).sort(),
    };
}

export function readPackageJson(root: string): PackageJson {
    return JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as PackageJson;
}

/**
 * What Node-RED reads from the package (docs/node-red.md §1): each node set's `.js` and
 * the `.html` beside it, its catalog and help in every language, the icons beside the node files,
 * `examples/` and the editor scripts in `resources/`; plus package.json, README and LICENSE.
 */
export function filesNodeRedNeeds(root: string, pkg: PackageJson): string[] {
    const files = ['package.json', 'README.md', 'LICENSE'];
    for (const js of Object.values(pkg['node-red'].nodes)) {
        const dir = path.posix.dirname(js);
        const base = path.posix.basename(js, '.js');
        files.push(js, `${dir}/${base}.html`);
        for (const lang of LANGUAGES)
            files.push(`${dir}/locales/${lang}/${base}.json`, `${dir}/locales/${lang}/${base}.html`);
    }
    const nodeDirs = new Set(Object.values(pkg['node-red'].nodes).map((js) => path.posix.dirname(js)));
    for (const dir of nodeDirs) for (const icon of iconNames(root)) files.push(`${dir}/icons/${icon}`);
    for (const example of exampleNames(root)) files.push(`examples/${example}`);
    for (const resource of resourceNames(root)) files.push(`resources/${resource}`);
    return files;
}

/** The icons the build copies next to the node files. */
export function iconNames(root: string): string[] {
    return readdirSync(path.join(root, 'icons')).filter((name) => name.endsWith('.svg'));
}

/** The editor scripts and styles Node-RED serves at `resources/<package name>/` (docs/node-red.md §1.5). */
export function resourceNames(root: string): string[] {
    return readdirSync(path.join(root, 'resources')).filter((name) => /\.(js|css)$/.test(name));
}

export function exampleNames(root: string): string[] {
    return readdirSync(path.join(root, 'examples')).filter((name) => name.endsWith('.json'));
}

/** The emulator's in-process API, documented in its README as `.../dist/emulator`. */
export const EMULATOR_ENTRY = 'dist/emulator/index.js';

/**
 * Every built file that runs when Node-RED loads the nodes, or when someone requires the
 * package's main entry or the emulator, or runs its bin: the closure of their relative
 * requires. `bare` collects the other (package or built-in) names they require.
 */
export function runtimeClosure(root: string, pkg: PackageJson, bare: Set<string>): Set<string> {
    const entries = [
        ...Object.values(pkg['node-red'].nodes),
        pkg.main,
        EMULATOR_ENTRY,
        ...Object.values(pkg.bin ?? {}),
    ];
    const seen = new Set<string>();
    const visit = (file: string) => {
        if (seen.has(file)) return;
        seen.add(file);
        const source = readFileSync(path.join(root, file), 'utf8');
        for (const [, name] of source.matchAll(/\brequire\(["']([^"']+)["']\)/g)) {
            if (!name.startsWith('.')) {
                bare.add(name);
                continue;
            }
            visit(resolveRelative(root, path.posix.join(path.posix.dirname(file), name)));
        }
    };
    for (const entry of entries) visit(path.posix.normalize(entry));
    return seen;
}

/**
 * The type declarations of those files and every declaration they import: a type-only module
 * (an interface file) has a `.d.ts` and an empty `.js`, both of which come along.
 */
export function typesClosure(root: string, runtime: Set<string>): Set<string> {
    const seen = new Set<string>();
    const visit = (dts: string) => {
        if (seen.has(dts) || !existsSync(path.join(root, dts))) return;
        seen.add(dts);
        const source = readFileSync(path.join(root, dts), 'utf8');
        for (const [, , name] of source.matchAll(/(from |import\()["'](\.[^"']+)["']/g)) {
            visit(
                `${resolveRelative(root, path.posix.join(path.posix.dirname(dts), name)).slice(0, -3)}.d.ts`,
            );
        }
    };
    for (const js of runtime) visit(js.replace(/\.js$/, '.d.ts'));
    return new Set([...seen, ...[...seen].map((dts) => dts.replace(/\.d\.ts$/, '.js'))]);
}

function resolveRelative(root: string, target: string): string {
    for (const candidate of [target, `${target}.js`, `${target}/index.js`]) {
        if (existsSync(path.join(root, candidate)) && candidate.endsWith('.js')) return candidate;
    }
    if (target.endsWith('.json') && existsSync(path.join(root, target))) return target;
    throw new Error(`cannot resolve require of ${target}`);
}

/** Whether a bare require names a Node.js built-in module. */
export function isBuiltin(name: string): boolean {
    return name.startsWith('node:') || builtinModules.includes(name.split('/')[0]);
}

/** The package a bare require names (`@scope/name/sub` -> `@scope/name`). */
export function packageOf(name: string): string {
    const parts = name.split('/');
    return name.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
