// Reads the editor side as Node-RED and the Flow Library see it: the built `dist/nodes` folder
// (html, locales, icons), `examples/` and `package.json`. Shared by the specs in this folder.
import { access, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import vm from 'node:vm';

export const ROOT = path.resolve(__dirname, '../..');
export const DIST_NODES = path.join(ROOT, 'dist', 'nodes');
export const EXAMPLES = path.join(ROOT, 'examples');
/** The package's `resources/` folder, which Node-RED serves to the editor (docs/node-red.md §1.5). */
export const RESOURCES = path.join(ROOT, 'resources');
/** How a node's HTML names a file of RESOURCES: relative, so that httpAdminRoot is respected. */
export const RESOURCE_URL = 'resources/@b24sync/node-red-bitrix24/';
export const LANGUAGES = ['en-US', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The offline-clear and offline-error nodes have the same properties: both confirm rows of a reservation. */
export const CONFIRM_DEFAULTS = {
    name: '',
    portal: '',
    processId: 'process_id',
    processIdType: 'msg',
    messageIds: 'message_id',
    messageIdsType: 'msg',
    authConnector: '',
    coalesce: true,
    coalesceMs: 1000,
} as const;

/** The public contract (docs/nodes.md): every property of every node type and its default. */
export const CONTRACT = {
    'bitrix24-portal': {
        name: '',
        portalUrl: '',
        authType: 'oauth',
        authConnector: '',
        rateLimit: 'standard',
        burst: 50,
        rps: 2,
        oauthServer: '',
        multiPortal: false,
        publicUrl: '',
        maxPortals: 1000,
        concurrency: 8,
        store: '',
    },
    'bitrix24-offline-get': {
        name: '',
        portal: '',
        mode: 'reserve',
        queue: 'normal',
        limit: 50,
        filter: '{}',
        filterType: 'json',
        order: '{"TIMESTAMP_X":"ASC"}',
        orderType: 'json',
        authConnector: '',
        output: 'batch',
        drain: true,
        maxOpen: 4,
        redeliverAfter: 300,
    },
    'bitrix24-offline-clear': CONFIRM_DEFAULTS,
    'bitrix24-offline-error': CONFIRM_DEFAULTS,
    'bitrix24-offline-list': {
        name: '',
        portal: '',
        filter: '{}',
        filterType: 'json',
        order: '{"ID":"ASC"}',
        orderType: 'json',
        authConnector: '',
        pages: 'one',
    },
    'bitrix24-bind': {
        name: '',
        portal: '',
        action: 'bind',
        eventName: 'ONCRMDEALUPDATE',
        eventNameType: 'str',
        eventType: 'offline',
        handler: '',
        authConnector: '',
        options: '{}',
        optionsType: 'json',
        onDeploy: false,
    },
    'bitrix24-onoffline-trigger': {
        name: '',
        portal: '',
        path: '/bitrix24/onoffline',
        publicUrl: '',
        autoBind: false,
        minTimeout: 5,
        pollInterval: 60,
    },
    'bitrix24-call': {
        name: '',
        portal: '',
        method: '',
        methodType: 'str',
        params: 'payload',
        paramsType: 'msg',
        authConnector: 'auto',
    },
    'bitrix24-enrich': { name: '', portal: '', select: '', onMissing: 'tombstone' },
    'bitrix24-portals': { name: '', portal: '' },
    'bitrix24-store': {
        name: '',
        url: 'REDIS_URL',
        urlType: 'env',
        prefix: 'b24:',
        instance: '',
        instanceType: 'str',
        leaseSeconds: 15,
    },
} as const satisfies Record<string, Record<string, string | number | boolean>>;

export type NodeType = keyof typeof CONTRACT;
export const NODE_TYPES = Object.keys(CONTRACT) as NodeType[];
export const CONFIG_TYPES: readonly NodeType[] = ['bitrix24-portal', 'bitrix24-store'];
export const FLOW_TYPES = NODE_TYPES.filter((type) => !CONFIG_TYPES.includes(type));

export const PORTAL_CREDENTIALS = {
    clientId: 'text',
    webhookUrl: 'password',
    clientSecret: 'password',
    accessToken: 'password',
    refreshToken: 'password',
    applicationToken: 'password',
} as const;

export const PORTS: Record<NodeType, { inputs: number; outputs: number }> = {
    'bitrix24-portal': { inputs: 0, outputs: 0 },
    'bitrix24-offline-get': { inputs: 1, outputs: 2 },
    'bitrix24-offline-clear': { inputs: 1, outputs: 1 },
    'bitrix24-offline-error': { inputs: 1, outputs: 1 },
    'bitrix24-offline-list': { inputs: 1, outputs: 1 },
    'bitrix24-bind': { inputs: 1, outputs: 1 },
    'bitrix24-onoffline-trigger': { inputs: 0, outputs: 1 },
    'bitrix24-call': { inputs: 1, outputs: 1 },
    'bitrix24-enrich': { inputs: 1, outputs: 1 },
    'bitrix24-portals': { inputs: 1, outputs: 1 },
    'bitrix24-store': { inputs: 0, outputs: 0 },
};

export async function assertBuilt(): Promise<void> {
    try {
        await access(path.join(DIST_NODES, 'bitrix24-portal.html'));
    } catch {
        throw new Error('dist/nodes is missing: run `npm run build` before the editor specs');
    }
}

export async function readText(file: string): Promise<string> {
    return readFile(file, 'utf8');
}

export async function editorHtml(type: string): Promise<string> {
    return readText(path.join(DIST_NODES, `${type}.html`));
}

export async function helpHtml(language: Language, type: string): Promise<string> {
    return readText(path.join(DIST_NODES, 'locales', language, `${type}.html`));
}

export type Catalog = { [key: string]: string | Catalog };

function isCatalog(value: unknown): value is Catalog {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function catalog(language: Language, type: string): Promise<Catalog> {
    const parsed: unknown = JSON.parse(
        await readText(path.join(DIST_NODES, 'locales', language, `${type}.json`)),
    );
    if (!isCatalog(parsed)) {
        throw new Error(`${language}/${type}.json is not a JSON object`);
    }
    return parsed;
}

/** Every leaf of a catalog as `dotted.key -> value` (values that are not strings are kept, to be reported). */
export function flatten(tree: Catalog, prefix = ''): Map<string, unknown> {
    const leaves = new Map<string, unknown>();
    for (const [key, value] of Object.entries(tree)) {
        const dotted = prefix ? `${prefix}.${key}` : key;
        if (isCatalog(value)) {
            // an empty section (status, errors) has no leaves: the runtime fills it in later
            for (const [leaf, text] of flatten(value, dotted)) {
                leaves.set(leaf, text);
            }
        } else {
            leaves.set(dotted, value);
        }
    }
    return leaves;
}

/** Looks a key up the way Node-RED's i18next does (`.` separates levels, `__name__` interpolates). */
export function translate(tree: Catalog, key: string, args: Record<string, unknown> = {}): string {
    let node: string | Catalog | undefined = tree;
    for (const part of key.split('.')) {
        node = isCatalog(node) ? node[part] : undefined;
    }
    if (typeof node !== 'string') {
        return key;
    }
    return node.replace(/__(\w+)__/g, (whole, name: string) => (name in args ? String(args[name]) : whole));
}

export interface ScriptBlock {
    attributes: string;
    body: string;
}

export function scriptBlocks(html: string): ScriptBlock[] {
    return [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/gi)].map((match) => ({
        attributes: match[1],
        body: match[2],
    }));
}

/**
 * The form of a type: what the editor copies into its dialog, the body of
 * `<script type="text/html" data-template-name="<type>">`, written in the HTML or built by B24Form
 * (resources/bitrix24-form.js) when the HTML loads.
 */
export async function template(type: string): Promise<string> {
    const { page } = await loadEditorFile(type);
    const built: unknown = (page.B24Form as { template(type: string): unknown } | undefined)?.template(type);
    if (typeof built === 'string') return built;
    const block = scriptBlocks(await editorHtml(type)).find((script) =>
        script.attributes.includes(`data-template-name="${type}"`),
    );
    if (!block) {
        throw new Error(`no data-template-name="${type}" block and no form built by B24Form`);
    }
    return block.body;
}

/** The editor code the way the scorecard finds it: `<script ... type="text/javascript">` blocks. */
export function javascriptBlocks(html: string): string[] {
    return [...html.matchAll(/<script.+?type=['"]text\/javascript['"].*?>([\S\s]*?)<\/script>/gi)].map(
        (match) => match[1],
    );
}

export type Validator = (this: EditorNode, value: unknown, opt?: Record<string, unknown>) => unknown;

export interface PropertyDefinition {
    value: unknown;
    required?: boolean;
    type?: string;
    validate?: Validator;
}

export interface EditorNode {
    [property: string]: unknown;
    _: Translator;
}

export type Translator = (key: string, args?: Record<string, unknown>) => string;

export interface EditorDefinition {
    category: string;
    color: string;
    icon?: string;
    inputs?: number;
    outputs?: number;
    defaults: Record<string, PropertyDefinition>;
    credentials?: Record<string, { type: string }>;
    paletteLabel?: string | ((this: EditorDefinition) => string);
    label?: string | ((this: EditorNode) => string);
    labelStyle?: string | ((this: EditorNode) => string);
    outputLabels?: string[] | ((this: EditorNode, index: number) => string);
    oneditprepare?: (this: EditorNode) => void;
    _: Translator;
}

/** The files of RESOURCES that an editor file loads with `<script src="...">`, in order. */
export function resourceScripts(html: string): string[] {
    return scriptBlocks(html).flatMap((script) => {
        const src = /\bsrc="([^"]*)"/.exec(script.attributes)?.[1];
        if (src === undefined) return [];
        if (!src.startsWith(RESOURCE_URL)) throw new Error(`a script outside ${RESOURCE_URL}: ${src}`);
        return [src.slice(RESOURCE_URL.length)];
    });
}

/**
 * The config nodes the stub editor holds (`RED.nodes.node(id)`), for validators that look at the
 * node a property refers to; a spec sets them and clears them after itself.
 */
export const editorConfigNodes = new Map<string, Record<string, unknown>>();

/** This package's catalog namespaces, `<module>/<set>`, as a key names one before its `:`. */
const PACKAGE_NAMESPACE = '@b24sync/node-red-bitrix24/';

/**
 * A stub of the editor's `RED` that records the types registered, translating with `messages`,
 * or with `shared` (the portal's catalog) a key that names the portal's namespace.
 */
function stubRed(messages: Catalog, shared: Catalog, registered: Map<string, EditorDefinition>) {
    const portalNamespace = `${PACKAGE_NAMESPACE}bitrix24-portal:`;
    return {
        nodes: {
            registerType(name: string, definition: EditorDefinition): void {
                definition._ = (key, args) =>
                    key.startsWith(portalNamespace)
                        ? translate(shared, key.slice(portalNamespace.length), args)
                        : translate(messages, key, args);
                registered.set(name, definition);
            },
            getType: (name: string) => registered.get(name),
            node: (id: string) => editorConfigNodes.get(id),
        },
        validators: {
            number: () => (value: unknown) => String(value).trim() !== '' && !Number.isNaN(Number(value)),
            regex: (re: RegExp) => (value: unknown) => re.test(String(value)),
            typedInput: () => () => true,
        },
        settings: { httpNodeRoot: '/' },
        _: (key: string) => key,
    };
}

/**
 * Runs a built editor file as the editor does, in a fresh V8 context with a stub `RED`: first the
 * scripts it loads from RESOURCES, then its `text/javascript` blocks; returns the context (the page's
 * globals) and what the blocks registered. Node-RED loads the resource scripts side by side, in no
 * fixed order (`resourceOrder` tries another one), and runs the blocks once all have loaded. The
 * stub translates with the given language, the way a node's `_` does in the editor; `typedInput`
 * validators accept everything (the editor's own checks of msg/flow/JSONata values are not ours to
 * test).
 */
export async function loadEditorFile(
    type: string,
    language: Language = 'en-US',
    resourceOrder: (files: string[]) => string[] = (files) => files,
): Promise<{ page: vm.Context; registered: Map<string, EditorDefinition> }> {
    const registered = new Map<string, EditorDefinition>();
    const messages = await catalog(language, type);
    const shared = await catalog(language, 'bitrix24-portal');
    const page = vm.createContext({ RED: stubRed(messages, shared, registered), URL });
    const html = await editorHtml(type);
    for (const file of resourceOrder(resourceScripts(html))) {
        vm.runInContext(await readText(path.join(RESOURCES, file)), page, { filename: `resources/${file}` });
    }
    for (const code of javascriptBlocks(html)) {
        vm.runInContext(code, page, { filename: `dist/nodes/${type}.html` });
    }
    return { page, registered };
}

export async function loadDefinitions(
    type: string,
    language: Language = 'en-US',
): Promise<Map<string, EditorDefinition>> {
    return (await loadEditorFile(type, language)).registered;
}

export async function definition(type: NodeType, language: Language = 'en-US'): Promise<EditorDefinition> {
    const found = (await loadDefinitions(type, language)).get(type);
    if (!found) {
        throw new Error(`dist/nodes/${type}.html registers no ${type}`);
    }
    return found;
}

/** A node as the editor holds it: the defaults, then the given properties, with the definition's translator. */
export function editorNode(def: EditorDefinition, properties: Record<string, unknown> = {}): EditorNode {
    const values = Object.fromEntries(
        Object.entries(def.defaults).map(([key, property]) => [key, property.value]),
    );
    return { ...values, ...properties, _: def._ };
}

export function labelOf(def: EditorDefinition, properties: Record<string, unknown> = {}): string {
    const label = def.label;
    if (typeof label !== 'function') {
        throw new Error('label is not a function');
    }
    return label.call(editorNode(def, properties));
}

/** Runs one property's validator as the editor does (with an `opt` object, so it may return a message). */
export function validate(
    def: EditorDefinition,
    property: string,
    value: unknown,
    properties: Record<string, unknown> = {},
): unknown {
    const validator = def.defaults[property]?.validate;
    if (!validator) {
        throw new Error(`${property} has no validator`);
    }
    return validator.call(editorNode(def, { ...properties, [property]: value }), value, {});
}

export interface FlowNode {
    id: string;
    type: string;
    z?: string;
    wires?: string[][];
    [property: string]: unknown;
}

export interface Example {
    file: string;
    nodes: FlowNode[];
}

/** Every file under `examples/`, as the scorecard and the editor's Import menu walk it. */
export async function exampleFiles(dir = EXAMPLES): Promise<string[]> {
    const entries = await readdir(dir, { withFileTypes: true });
    const nested = await Promise.all(
        entries.map(async (entry) =>
            entry.isDirectory() ? exampleFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
        ),
    );
    return nested.flat();
}

export async function examples(): Promise<Example[]> {
    return Promise.all(
        (await exampleFiles()).map(async (file) => {
            const nodes: unknown = JSON.parse(await readText(file));
            if (!Array.isArray(nodes)) {
                throw new Error(`${path.basename(file)} is not an array of nodes`);
            }
            return { file: path.relative(EXAMPLES, file), nodes: nodes as FlowNode[] };
        }),
    );
}

export interface PackageJson {
    name: string;
    license?: string;
    repository?: unknown;
    bugs?: unknown;
    keywords?: string[];
    engines?: { node?: string };
    files?: string[];
    dependencies?: Record<string, string>;
    'node-red': { version?: string; nodes: Record<string, string> };
}

export async function packageJson(): Promise<PackageJson> {
    return JSON.parse(await readText(path.join(ROOT, 'package.json'))) as PackageJson;
}

/** Registers a hook that checks, once before the enclosing describe, that the package is built. */
export function requireBuild(): void {
    before(async () => {
        await assertBuilt();
    });
}

/** One describe per node type, titled with the type, holding what `body` registers for it. */
export function describeEachNodeType(body: (type: NodeType) => void): void {
    for (const type of NODE_TYPES) describe(type, () => body(type));
}
