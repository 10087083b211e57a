import assert from 'node:assert/strict';
import path from 'node:path';

import {
    CONTRACT,
    definition,
    editorNode,
    exampleFiles,
    EXAMPLES,
    examples,
    NODE_TYPES,
    PORTAL_CREDENTIALS,
    readText,
    requireBuild,
} from './editor-files';
import type { Example, FlowNode, NodeType } from './editor-files';

const EXPECTED_FILES = [
    '01 - Poll the queue and sync to an HTTP endpoint.json',
    '02 - Wake up on ONOFFLINEEVENT with a polling fallback.json',
    '03 - Retry failures through the error queue.json',
    '04 - Write back without echo.json',
    '05 - Enrich changed deals and write them to a file.json',
    '06 - Watch the backlog.json',
    '07 - One application, many portals.json',
];

// Core nodes an example may use; anything else would make the user install another package.
const CORE_TYPES = [
    'comment',
    'inject',
    'function',
    'change',
    'http request',
    'file',
    'debug',
    'catch',
    'switch',
];

const SECRET_KEYS = [...Object.keys(PORTAL_CREDENTIALS), 'credentials', 'password', 'token', 'secret'];

function isOurs(type: string): type is NodeType {
    return (NODE_TYPES as string[]).includes(type);
}

async function example(prefix: string): Promise<Example> {
    const found = (await examples()).find((candidate) => candidate.file.startsWith(prefix));
    assert.ok(found, `no example ${prefix}`);
    return found;
}

function ofType(flow: Example, type: string): FlowNode[] {
    return flow.nodes.filter((node) => node.type === type);
}

function keysDeep(value: unknown): string[] {
    if (Array.isArray(value)) {
        return value.flatMap(keysDeep);
    }
    if (value && typeof value === 'object') {
        return Object.entries(value).flatMap(([key, inner]) => [key, ...keysDeep(inner)]);
    }
    return [];
}

describe('examples', () => {
    requireBuild();

    it('lists the seven documented examples and nothing else', async () => {
        const files = await exampleFiles();
        assert.deepEqual(files.map((file) => path.basename(file)).sort(), EXPECTED_FILES);
    });

    for (const file of EXPECTED_FILES) {
        describe(file, () => {
            const flow = (): Promise<Example> => example(file.slice(0, 2));

            it('is a JSON array of nodes', async () => {
                const parsed: unknown = JSON.parse(await readText(path.join(EXAMPLES, file)));
                assert.ok(Array.isArray(parsed));
                assert.ok(
                    parsed.every(
                        (node: unknown) =>
                            typeof node === 'object' && node !== null && 'id' in node && 'type' in node,
                    ),
                );
            });

            it('explains itself in a Comment node that says credentials must be entered', async () => {
                const comments = ofType(await flow(), 'comment');
                assert.equal(comments.length, 1);
                assert.match(String(comments[0].info), /credentials are never exported/i);
                assert.match(String(comments[0].info), /Example portal/);
            });

            it('uses only Bitrix24 and core node types', async () => {
                const types = (await flow()).nodes.map((node) => node.type);
                assert.deepEqual(
                    types.filter((type) => !isOurs(type) && !CORE_TYPES.includes(type)),
                    [],
                );
            });

            it('carries no credentials or secrets', async () => {
                const flowNodes = (await flow()).nodes;
                assert.deepEqual(
                    keysDeep(flowNodes).filter((key) => SECRET_KEYS.includes(key)),
                    [],
                );
                assert.doesNotMatch(JSON.stringify(flowNodes), /\/rest\/\d+\/\w+/);
            });

            it('has one portal config node at https://example.bitrix24.com that every Bitrix24 node uses', async () => {
                const nodes = (await flow()).nodes;
                const portals = nodes.filter((node) => node.type === 'bitrix24-portal');
                assert.equal(portals.length, 1);
                assert.equal(portals[0].portalUrl, 'https://example.bitrix24.com');
                assert.equal(portals[0].z, undefined);
                for (const node of nodes.filter(
                    (candidate) => isOurs(candidate.type) && candidate.type !== 'bitrix24-portal',
                )) {
                    assert.equal(node.portal, portals[0].id, node.id);
                }
            });

            it('gives every Bitrix24 node every property of the contract', async () => {
                for (const node of (await flow()).nodes.filter((candidate) => isOurs(candidate.type))) {
                    const missing = Object.keys(CONTRACT[node.type as NodeType]).filter(
                        (key) => !(key in node),
                    );
                    assert.deepEqual(missing, [], `${node.id} (${node.type})`);
                }
            });

            it('gives every Bitrix24 node values the editor accepts', async () => {
                for (const node of (await flow()).nodes.filter((candidate) => isOurs(candidate.type))) {
                    const def = await definition(node.type as NodeType);
                    const values = editorNode(def, node);
                    const refused = Object.entries(def.defaults)
                        .filter(([key, property]) => key !== 'portal' && property.validate)
                        .filter(([key, property]) => property.validate?.call(values, node[key], {}) !== true)
                        .map(([key]) => key);
                    assert.deepEqual(refused, [], `${node.id} (${node.type})`);
                }
            });

            it('wires only to nodes of the same flow', async () => {
                const nodes = (await flow()).nodes;
                const ids = new Set(nodes.map((node) => node.id));
                const dangling = nodes.flatMap((node) =>
                    (node.wires ?? [])
                        .flat()
                        .filter((target) => !ids.has(target))
                        .map((target) => `${node.id} -> ${target}`),
                );
                assert.deepEqual(dangling, []);
            });

            it('gives every node a unique id', async () => {
                const ids = (await flow()).nodes.map((node) => node.id);
                assert.equal(new Set(ids).size, ids.length);
            });
        });
    }

    it('01 binds the event at deploy and sends successes to clear and failures to error', async () => {
        const flow = await example('01');
        assert.equal(ofType(flow, 'bitrix24-bind')[0]?.onDeploy, true);
        const [get] = ofType(flow, 'bitrix24-offline-get');
        assert.deepEqual([get.mode, get.output, get.drain], ['reserve', 'event', true]);
        const [status] = ofType(flow, 'switch');
        const [clear] = ofType(flow, 'bitrix24-offline-clear');
        const [error] = ofType(flow, 'bitrix24-offline-error');
        assert.equal(status.property, 'statusCode');
        assert.deepEqual(status.wires, [[clear.id], [error.id]]);
    });

    it('02 starts a draining read from the ONOFFLINEEVENT trigger', async () => {
        const flow = await example('02');
        const [trigger] = ofType(flow, 'bitrix24-onoffline-trigger');
        const [get] = ofType(flow, 'bitrix24-offline-get');
        assert.deepEqual(trigger.wires, [[get.id]]);
        assert.equal(get.drain, true);
        assert.ok(Number(trigger.pollInterval) > 0);
    });

    it('03 re-drives the error queue with a second get node on a slower inject', async () => {
        const flow = await example('03');
        const readers = ofType(flow, 'bitrix24-offline-get');
        const retry = readers.find((node) => node.queue === 'error');
        const normal = readers.find((node) => node.queue === 'normal');
        assert.ok(retry && normal);
        const injectOf = (target: FlowNode): FlowNode | undefined =>
            ofType(flow, 'inject').find((node) => (node.wires ?? []).flat().includes(target.id));
        assert.ok(Number(injectOf(retry)?.repeat) > Number(injectOf(normal)?.repeat));
    });

    it('04 writes back with crm.deal.update and the connector on writes', async () => {
        const [call] = ofType(await example('04'), 'bitrix24-call');
        assert.deepEqual(
            [call.method, call.methodType, call.authConnector],
            ['crm.deal.update', 'str', 'auto'],
        );
    });

    it('05 confirms a reservation only after the file node wrote it', async () => {
        const flow = await example('05');
        const [file] = ofType(flow, 'file');
        const [clear] = ofType(flow, 'bitrix24-offline-clear');
        assert.deepEqual(file.wires, [[clear.id]]);
    });

    it('06 shows msg.stats of the offline list in the debug sidebar', async () => {
        const flow = await example('06');
        const [list] = ofType(flow, 'bitrix24-offline-list');
        const [debug] = ofType(flow, 'debug');
        assert.deepEqual(list.wires, [[debug.id]]);
        assert.deepEqual([debug.complete, debug.targetType], ['stats', 'msg']);
    });

    it('07 welcomes a newly installed portal through two calls and drains every portal from the trigger', async () => {
        const flow = await example('07');
        const [portals] = ofType(flow, 'bitrix24-portals');
        const [installed] = ofType(flow, 'switch');
        const calls = ofType(flow, 'bitrix24-call');
        assert.deepEqual(portals.wires, [[installed.id]]);
        assert.deepEqual(
            calls.map((call) => call.method),
            ['user.current', 'im.notify'],
        );
        const [trigger] = ofType(flow, 'bitrix24-onoffline-trigger');
        const [get] = ofType(flow, 'bitrix24-offline-get');
        const [clear] = ofType(flow, 'bitrix24-offline-clear');
        const [process] = ofType(flow, 'function');
        assert.deepEqual(
            [trigger.wires, get.wires?.[0], process.wires],
            [[[get.id]], [process.id], [[clear.id]]],
        );
        assert.equal(ofType(flow, 'bitrix24-portal')[0].multiPortal, true);
    });
});
