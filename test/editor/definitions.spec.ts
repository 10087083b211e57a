import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import path from 'node:path';

import {
    catalog,
    CONTRACT,
    definition,
    describeEachNodeType,
    DIST_NODES,
    editorNode,
    CONFIG_TYPES,
    FLOW_TYPES,
    labelOf,
    loadDefinitions,
    PORTAL_CREDENTIALS,
    PORTS,
    requireBuild,
    template,
    translate,
    validate,
} from './editor-files';
import type { EditorDefinition, NodeType } from './editor-files';

const COLOR = '#3DB2E0';
const MESSAGE_ID = 'a'.repeat(32);

/** The en-US text of a key, as the editor would show it; a key missing from the catalog fails the test. */
async function message(type: NodeType, key: string, args: Record<string, unknown> = {}): Promise<string> {
    const text = translate(await catalog('en-US', type), `${type}.${key}`, args);
    assert.notEqual(text, `${type}.${key}`, `${type}.${key} is not in the en-US catalog`);
    return text;
}

function plain<T>(value: T): T {
    // values built in the vm context have that context's prototypes; compare them as plain data
    return JSON.parse(JSON.stringify(value)) as T;
}

async function formFields(type: NodeType): Promise<string[]> {
    return [...(await template(type)).matchAll(/id="node-(?:config-)?input-([A-Za-z0-9_]+)"/g)].map(
        (match) => match[1],
    );
}

describe('editor definitions', () => {
    requireBuild();

    describeEachNodeType((type) => {
        it('registers exactly its own type', async () => {
            assert.deepEqual([...(await loadDefinitions(type)).keys()], [type]);
        });

        it('has the contract defaults, property for property', async () => {
            const defaults = (await definition(type)).defaults;
            const values = Object.fromEntries(
                Object.entries(defaults).map(([key, property]) => [key, property.value]),
            );
            assert.deepEqual(plain(values), CONTRACT[type]);
        });

        it(`has ${PORTS[type].inputs} input(s) and ${PORTS[type].outputs} output(s)`, async () => {
            const def = await definition(type);
            assert.equal(def.inputs ?? 0, PORTS[type].inputs);
            assert.equal(def.outputs ?? 0, PORTS[type].outputs);
        });

        it('gives every form field a default or a credential', async () => {
            const def = await definition(type);
            const known = new Set([...Object.keys(def.defaults), ...Object.keys(def.credentials ?? {})]);
            assert.deepEqual(
                (await formFields(type)).filter((field) => !known.has(field)),
                [],
            );
        });

        it('gives every default and credential a form field', async () => {
            const def = await definition(type);
            const fields = new Set(await formFields(type));
            assert.deepEqual(
                [...Object.keys(def.defaults), ...Object.keys(def.credentials ?? {})].filter(
                    (key) => !fields.has(key),
                ),
                [],
            );
        });

        it('uses the input id prefix of its kind of node', async () => {
            const prefix = CONFIG_TYPES.includes(type) ? 'node-config-input-' : 'node-input-';
            const ids = [
                ...(await template(type)).matchAll(/id="(node-(?:config-)?input-[A-Za-z0-9_]+)"/g),
            ].map((m) => m[1]);
            assert.ok(ids.length > 0);
            assert.deepEqual(
                ids.filter((id) => !id.startsWith(prefix)),
                [],
            );
        });

        it('has a palette label from its catalog', async () => {
            const def = await definition(type);
            const label =
                typeof def.paletteLabel === 'function' ? def.paletteLabel.call(def) : def.paletteLabel;
            assert.equal(label, await message(type, 'paletteLabel'));
        });

        it('accepts its own defaults', async () => {
            const def = await definition(type);
            const node = editorNode(def);
            const refused = Object.entries(def.defaults)
                .filter(([key]) => key !== 'portalUrl')
                .filter(
                    ([, property]) =>
                        property.validate && property.validate.call(node, property.value, {}) !== true,
                )
                .map(([key]) => key);
            assert.deepEqual(refused, []);
        });

        it('uses its name as the label when it has one', async () => {
            assert.equal(labelOf(await definition(type), { name: 'My node' }), 'My node');
        });
    });

    describe('palette', () => {
        it('puts every flow node in the Bitrix24 category with one colour', async () => {
            for (const type of FLOW_TYPES) {
                const def = await definition(type);
                assert.equal(def.category, 'Bitrix24', type);
                assert.equal(def.color, COLOR, type);
            }
        });

        it('gives every flow node its own bitrix24- icon that the build ships', async () => {
            const icons = await Promise.all(
                FLOW_TYPES.map(async (type) => (await definition(type)).icon ?? ''),
            );
            assert.equal(new Set(icons).size, icons.length);
            for (const icon of icons) {
                assert.match(icon, /^bitrix24-[a-z]+\.svg$/);
                await access(path.join(DIST_NODES, 'icons', icon));
            }
        });

        it('declares the portal as a config node', async () => {
            assert.equal((await definition('bitrix24-portal')).category, 'config');
        });

        it('refers every flow node to a required portal config node', async () => {
            for (const type of FLOW_TYPES) {
                assert.deepEqual(plain((await definition(type)).defaults.portal), {
                    value: '',
                    type: 'bitrix24-portal',
                    required: true,
                });
            }
        });
    });

    describe('bitrix24-portal', () => {
        const portal = (): Promise<EditorDefinition> => definition('bitrix24-portal');

        it('declares the client id as text and every secret as a password', async () => {
            assert.deepEqual(
                plain((await portal()).credentials),
                Object.fromEntries(Object.entries(PORTAL_CREDENTIALS).map(([key, type]) => [key, { type }])),
            );
        });

        it('declares the same credentials as the runtime portal node', async () => {
            const runtimeFile = path.join(DIST_NODES, 'bitrix24-portal.js');
            const loaded: unknown = await import(runtimeFile);
            const register = (loaded as { default?: unknown }).default;
            assert.equal(typeof register, 'function', `${runtimeFile} exports no module function`);
            let options: unknown;
            const noop = (): void => undefined;
            const RED = {
                nodes: {
                    registerType: (_type: string, _constructor: unknown, opts: unknown) => {
                        options = opts;
                    },
                },
                httpAdmin: { get: noop, post: noop },
                httpNode: { get: noop, post: noop },
                auth: { needsPermission: () => noop },
                settings: {},
                _: (key: string) => key,
            };
            (register as (red: typeof RED) => void)(RED);
            assert.deepEqual(
                plain((options as { credentials?: unknown } | undefined)?.credentials),
                plain((await portal()).credentials),
            );
        });

        it('labels an OAuth portal with its host', async () => {
            assert.equal(
                labelOf(await portal(), { portalUrl: 'https://Example.bitrix24.com/crm/deal/' }),
                'example.bitrix24.com (OAuth)',
            );
        });

        it('labels a webhook portal with its host', async () => {
            assert.equal(
                labelOf(await portal(), { portalUrl: 'https://example.bitrix24.com', authType: 'webhook' }),
                'example.bitrix24.com (webhook)',
            );
        });

        it('labels a portal without an address by its kind', async () => {
            assert.equal(labelOf(await portal()), 'Bitrix24 portal');
        });

        it('asks for no portal URL when the node is an application on many portals', async () => {
            assert.equal(validate(await portal(), 'portalUrl', '', { multiPortal: true }), true);
        });

        it('says what to enter for the public URL of an application on many portals', async () => {
            assert.equal(
                validate(await portal(), 'publicUrl', 'nodered', { multiPortal: true }),
                await message('bitrix24-portal', 'validation.publicUrl'),
            );
        });

        for (const bad of ['example.bitrix24.com', 'ftp://example.bitrix24.com', 'https://', '']) {
            it(`says what to enter for the portal URL ${JSON.stringify(bad)}`, async () => {
                assert.equal(
                    validate(await portal(), 'portalUrl', bad),
                    await message('bitrix24-portal', 'validation.portalUrl'),
                );
            });
        }

        it('accepts an https portal URL', async () => {
            assert.equal(validate(await portal(), 'portalUrl', 'https://example.bitrix24.com'), true);
        });

        it('checks the burst of a custom rate limit', async () => {
            assert.equal(
                validate(await portal(), 'burst', '0', { rateLimit: 'custom' }),
                await message('bitrix24-portal', 'validation.burst'),
            );
        });

        it('ignores burst and rate when a named rate-limit profile is chosen', async () => {
            assert.equal(validate(await portal(), 'rps', 'fast', { rateLimit: 'enterprise' }), true);
        });

        it('accepts a fractional rate for a custom profile', async () => {
            assert.equal(validate(await portal(), 'rps', '0.5', { rateLimit: 'custom' }), true);
        });

        it('returns false instead of a message when the editor gives no options object', async () => {
            const def = await portal();
            const validator = def.defaults.portalUrl.validate;
            assert.ok(validator);
            assert.equal(validator.call(editorNode(def), 'nope'), false);
        });
    });

    describe('bitrix24-offline-get', () => {
        const get = (): Promise<EditorDefinition> => definition('bitrix24-offline-get');
        const fields = 'ID, TIMESTAMP_X, EVENT_NAME, MESSAGE_ID';

        it('labels a node without a filter as reading all', async () => {
            assert.equal(labelOf(await get()), 'get all (reserve, 50)');
        });

        it('labels an exact EVENT_NAME filter with the event', async () => {
            assert.equal(
                labelOf(await get(), {
                    filter: '{"EVENT_NAME":"ONCRMDEALUPDATE"}',
                    mode: 'delete',
                    limit: 10,
                }),
                'get ONCRMDEALUPDATE (delete, 10)',
            );
        });

        it('labels a reader of the error queue as getting errors', async () => {
            assert.equal(labelOf(await get(), { queue: 'error' }), 'get errors (reserve, 50)');
        });

        it('labels a filter taken from the message by where it comes from', async () => {
            assert.equal(
                labelOf(await get(), { filter: 'filter', filterType: 'msg' }),
                'get msg.filter (reserve, 50)',
            );
        });

        it('labels in Russian when the editor speaks Russian', async () => {
            assert.equal(
                labelOf(await definition('bitrix24-offline-get', 'ru'), {
                    filter: '{"EVENT_NAME":"ONCRMDEALUPDATE"}',
                }),
                'чтение ONCRMDEALUPDATE (резерв, 50)',
            );
        });

        it('labels its two outputs', async () => {
            const def = await get();
            const outputLabels = def.outputLabels;
            assert.equal(typeof outputLabels, 'function');
            if (typeof outputLabels === 'function') {
                const node = editorNode(def);
                assert.deepEqual(
                    [outputLabels.call(node, 0), outputLabels.call(node, 1)],
                    ['events', 'queue empty'],
                );
            }
        });

        for (const bad of ['0', '-1', '2.5', 'ten', '']) {
            it(`refuses ${JSON.stringify(bad)} as a limit`, async () => {
                assert.equal(
                    validate(await get(), 'limit', bad),
                    await message('bitrix24-offline-get', 'validation.limit'),
                );
            });
        }

        it('refuses zero reservations open at once', async () => {
            assert.equal(
                validate(await get(), 'maxOpen', '0'),
                await message('bitrix24-offline-get', 'validation.maxOpen'),
            );
        });

        it('accepts 0 to turn redelivery off', async () => {
            assert.equal(validate(await get(), 'redeliverAfter', '0'), true);
        });

        it('refuses a filter that is not JSON', async () => {
            assert.equal(
                validate(await get(), 'filter', '{EVENT_NAME:'),
                await message('bitrix24-offline-get', 'validation.filter.json'),
            );
        });

        it('refuses a filter that is not an object', async () => {
            assert.equal(
                validate(await get(), 'filter', '["ID"]'),
                await message('bitrix24-offline-get', 'validation.filter.object'),
            );
        });

        it('names the filter field that event.offline.get does not allow', async () => {
            assert.equal(
                validate(await get(), 'filter', '{"PROCESS_ID":""}'),
                await message('bitrix24-offline-get', 'validation.filter.field', {
                    field: 'PROCESS_ID',
                    fields: 'ID, EVENT_NAME, MESSAGE_ID',
                }),
            );
        });

        it('refuses a filter operator that event.offline.get does not know', async () => {
            assert.equal(
                validate(await get(), 'filter', '{"!ID":"5"}'),
                await message('bitrix24-offline-get', 'validation.filter.operator', { field: '!ID' }),
            );
        });

        it('refuses a list value, which event.offline.get cannot take', async () => {
            assert.equal(
                validate(await get(), 'filter', '{"@ID":["1","2"]}'),
                await message('bitrix24-offline-get', 'validation.filter.scalar', { field: '@ID' }),
            );
        });

        it('refuses % and conditions on TIMESTAMP_X, which the portal refuses when it reserves rows', async () => {
            const definitionOfGet = await get();
            assert.equal(
                validate(definitionOfGet, 'filter', '{"%EVENT_NAME":"ONCRM"}'),
                await message('bitrix24-offline-get', 'validation.filter.operator', { field: '%EVENT_NAME' }),
            );
            assert.equal(
                validate(definitionOfGet, 'filter', '{">=TIMESTAMP_X":"2024-01-01T00:00:00+03:00"}'),
                await message('bitrix24-offline-get', 'validation.filter.field', {
                    field: '>=TIMESTAMP_X',
                    fields: 'ID, EVENT_NAME, MESSAGE_ID',
                }),
            );
        });

        it('accepts a filter with an operator on an allowed field', async () => {
            assert.equal(
                validate(await get(), 'filter', '{">=ID":"100","EVENT_NAME":"ONCRMDEALUPDATE"}'),
                true,
            );
        });

        it('leaves a filter taken from the message to the runtime', async () => {
            assert.equal(validate(await get(), 'filter', 'filter', { filterType: 'msg' }), true);
        });

        it('refuses an order direction other than ASC or DESC', async () => {
            assert.equal(
                validate(await get(), 'order', '{"ID":"UP"}'),
                await message('bitrix24-offline-get', 'validation.order.direction', { field: 'ID' }),
            );
        });

        it('refuses an order field that event.offline.get does not sort on', async () => {
            assert.equal(
                validate(await get(), 'order', '{"ERROR":"ASC"}'),
                await message('bitrix24-offline-get', 'validation.order.field', { field: 'ERROR', fields }),
            );
        });

        it('refuses a mode other than reserve or delete', async () => {
            assert.equal(
                validate(await get(), 'mode', 'keep'),
                await message('bitrix24-offline-get', 'validation.mode'),
            );
        });

        it('warns in the form that delete mode loses rows the flow has not seen', async () => {
            assert.match(
                await template('bitrix24-offline-get'),
                /data-i18n="\[html\]bitrix24-offline-get\.tip\.delete"/,
            );
            assert.match(await message('bitrix24-offline-get', 'tip.delete'), /at-most-once/);
        });
    });

    describe('bitrix24-offline-list', () => {
        const list = (): Promise<EditorDefinition> => definition('bitrix24-offline-list');

        it('labels one page and all pages', async () => {
            assert.deepEqual(
                [labelOf(await list()), labelOf(await list(), { pages: 'all' })],
                ['list queue (one page)', 'list queue (all pages)'],
            );
        });

        it('accepts the PROCESS_ID and ERROR fields that only event.offline.list knows', async () => {
            assert.equal(validate(await list(), 'filter', '{">PROCESS_ID":"","ERROR":"1"}'), true);
        });

        it('accepts a list value with @', async () => {
            assert.equal(
                validate(await list(), 'filter', '{"@EVENT_NAME":["ONCRMDEALADD","ONCRMDEALUPDATE"]}'),
                true,
            );
        });

        it('names a filter field that event.offline.list does not allow', async () => {
            assert.equal(
                validate(await list(), 'filter', '{"APP_ID":"1"}'),
                await message('bitrix24-offline-list', 'validation.filter.field', {
                    field: 'APP_ID',
                    fields: 'ID, TIMESTAMP_X, EVENT_NAME, MESSAGE_ID, PROCESS_ID, ERROR',
                }),
            );
        });
    });

    for (const type of ['bitrix24-offline-clear', 'bitrix24-offline-error'] as const) {
        describe(type, () => {
            it('asks where the process_id is when the field is empty', async () => {
                assert.equal(
                    validate(await definition(type), 'processId', ''),
                    await message(type, 'validation.processId'),
                );
            });

            it('accepts empty message ids', async () => {
                assert.equal(validate(await definition(type), 'messageIds', ''), true);
            });

            it('accepts a JSON list of 32-character message ids', async () => {
                assert.equal(
                    validate(await definition(type), 'messageIds', JSON.stringify([MESSAGE_ID]), {
                        messageIdsType: 'json',
                    }),
                    true,
                );
            });

            it('refuses message ids that are not 32 characters long', async () => {
                assert.equal(
                    validate(await definition(type), 'messageIds', '["1","2"]', { messageIdsType: 'json' }),
                    await message(type, 'validation.messageIds'),
                );
            });

            it('refuses a negative coalescing window', async () => {
                assert.equal(
                    validate(await definition(type), 'coalesceMs', '-5'),
                    await message(type, 'validation.coalesceMs'),
                );
            });
        });
    }

    it('labels clear and error nodes by what they do', async () => {
        assert.deepEqual(
            [
                labelOf(await definition('bitrix24-offline-clear')),
                labelOf(await definition('bitrix24-offline-error')),
            ],
            ['clear', 'mark as error'],
        );
    });

    describe('bitrix24-bind', () => {
        const bind = (): Promise<EditorDefinition> => definition('bitrix24-bind');

        it('labels a binding with its event and type', async () => {
            assert.equal(labelOf(await bind()), 'bind ONCRMDEALUPDATE (offline)');
        });

        it('labels an unbinding of an online event', async () => {
            assert.equal(
                labelOf(await bind(), { action: 'unbind', eventName: 'ONCRMLEADADD', eventType: 'online' }),
                'unbind ONCRMLEADADD (online)',
            );
        });

        it('labels the list action', async () => {
            assert.equal(labelOf(await bind(), { action: 'list' }), 'list bindings');
        });

        it('refuses to bind ONOFFLINEEVENT as an offline event', async () => {
            assert.equal(
                validate(await bind(), 'eventName', 'ONOFFLINEEVENT'),
                await message('bitrix24-bind', 'validation.doorbell'),
            );
        });

        it('accepts ONOFFLINEEVENT as an online event', async () => {
            assert.equal(
                validate(await bind(), 'eventName', 'ONOFFLINEEVENT', { eventType: 'online' }),
                true,
            );
        });

        it('refuses an event code with spaces', async () => {
            assert.equal(
                validate(await bind(), 'eventName', 'ON CRM'),
                await message('bitrix24-bind', 'validation.eventName'),
            );
        });

        it('asks for a handler URL for an online event', async () => {
            assert.equal(
                validate(await bind(), 'handler', '', { eventType: 'online' }),
                await message('bitrix24-bind', 'validation.handler'),
            );
        });

        it('refuses a handler on a host without a dot, which Bitrix24 rejects', async () => {
            assert.equal(
                validate(await bind(), 'handler', 'http://localhost:1880/hook', { eventType: 'online' }),
                await message('bitrix24-bind', 'validation.handler'),
            );
        });

        it('accepts a public handler URL', async () => {
            assert.equal(
                validate(await bind(), 'handler', 'https://nodered.example.com/hook', {
                    eventType: 'online',
                }),
                true,
            );
        });

        it('needs no handler for an offline event', async () => {
            assert.equal(validate(await bind(), 'handler', ''), true);
        });

        it('refuses options that are not a JSON object', async () => {
            assert.equal(
                validate(await bind(), 'options', '[5]'),
                await message('bitrix24-bind', 'validation.options'),
            );
        });
    });

    describe('bitrix24-onoffline-trigger', () => {
        const trigger = (): Promise<EditorDefinition> => definition('bitrix24-onoffline-trigger');

        it('labels itself with the path it serves', async () => {
            assert.equal(labelOf(await trigger()), 'ONOFFLINEEVENT /bitrix24/onoffline');
        });

        it('asks for a public URL when it binds at deploy', async () => {
            assert.equal(
                validate(await trigger(), 'publicUrl', '', { autoBind: true }),
                await message('bitrix24-onoffline-trigger', 'validation.publicUrlNeeded'),
            );
        });

        it('needs no public URL when it does not bind', async () => {
            assert.equal(validate(await trigger(), 'publicUrl', ''), true);
        });

        it('refuses localhost as the public URL', async () => {
            assert.equal(
                validate(await trigger(), 'publicUrl', 'http://localhost:1880'),
                await message('bitrix24-onoffline-trigger', 'validation.publicUrl'),
            );
        });

        it('refuses a path with a space', async () => {
            assert.equal(
                validate(await trigger(), 'path', '/bitrix 24'),
                await message('bitrix24-onoffline-trigger', 'validation.path'),
            );
        });

        it('accepts 0 to turn polling off', async () => {
            assert.equal(validate(await trigger(), 'pollInterval', '0'), true);
        });
    });

    describe('bitrix24-call', () => {
        const call = (): Promise<EditorDefinition> => definition('bitrix24-call');

        it('labels itself with its method', async () => {
            assert.equal(labelOf(await call(), { method: 'crm.deal.update' }), 'crm.deal.update');
        });

        it('labels itself with where the method comes from', async () => {
            assert.equal(labelOf(await call(), { method: 'method', methodType: 'msg' }), 'msg.method');
        });

        it('labels itself call without a method', async () => {
            assert.equal(labelOf(await call()), 'call');
        });

        it('refuses a method name with a space', async () => {
            assert.equal(
                validate(await call(), 'method', 'crm deal update'),
                await message('bitrix24-call', 'validation.method'),
            );
        });

        it('refuses JSON parameters that are neither an object nor a list', async () => {
            assert.equal(
                validate(await call(), 'params', '"id"', { paramsType: 'json' }),
                await message('bitrix24-call', 'validation.params'),
            );
        });

        it('refuses a connector mode other than auto, always or never', async () => {
            assert.equal(
                validate(await call(), 'authConnector', 'sometimes'),
                await message('bitrix24-call', 'validation.authConnector'),
            );
        });
    });

    describe('bitrix24-enrich', () => {
        it('accepts a comma-separated field list', async () => {
            assert.equal(validate(await definition('bitrix24-enrich'), 'select', 'ID, TITLE,STAGE_ID'), true);
        });

        it('refuses a field list separated by semicolons', async () => {
            assert.equal(
                validate(await definition('bitrix24-enrich'), 'select', 'ID; TITLE'),
                await message('bitrix24-enrich', 'validation.select'),
            );
        });

        it('refuses an unknown choice for deleted objects', async () => {
            assert.equal(
                validate(await definition('bitrix24-enrich'), 'onMissing', 'ignore'),
                await message('bitrix24-enrich', 'validation.onMissing'),
            );
        });
    });
});
