/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment --
   reply bodies are arbitrary JSON (typed `any` in helpers.ts) that these tests check field by field */
import assert from 'node:assert/strict';

import { bindOffline, postForm, rest, withEmulator } from './helpers';

describe('emulator: batch (docs/bitrix24.md §10)', () => {
    it('runs commands in order and resolves $result[key][path] references', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await rest(emulator, 'batch', {
                cmd: {
                    add: 'crm.item.add?entityTypeId=2&fields[title]=Batch%20deal',
                    get: 'crm.item.get?entityTypeId=2&id=$result[add][item][id]',
                    list: 'crm.item.list?entityTypeId=2&filter[=title]=$result[get][item][title]',
                },
            });
            assert.equal(reply.status, 200);
            const { result } = reply.body.result;
            assert.equal(result.get.item.title, 'Batch deal');
            assert.equal(result.list.items[0].id, result.add.item.id);
            assert.equal(reply.body.result.result_total.list, 1);
            assert.ok(reply.body.result.result_time.add.start > 0);
        });
    });

    it('keeps the command order of a JSON body, numeric keys included', async () => {
        await withEmulator({}, async (emulator) => {
            const body = `{"auth":"${emulator.app.accessToken}","cmd":{"b":"crm.item.add?entityTypeId=2","7":"crm.item.get?entityTypeId=2&id=$result[b][item][id]"}}`;
            const response = await fetch(`${emulator.portalUrl}/rest/batch`, {
                method: 'POST',
                headers: { 'Content-Type': 'application/json' },
                body,
            });
            const reply = (await response.json()) as {
                result: { result: Record<string, { item: { id: number } }>; result_error: unknown };
            };
            assert.deepEqual(reply.result.result_error, []);
            assert.equal(reply.result.result['7'].item.id, reply.result.result.b.item.id);
        });
    });

    it('reports failures in result_error, keeps going without halt and returns empty sections as []', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await rest(emulator, 'batch', {
                cmd: { bad: 'crm.item.get?entityTypeId=2&id=99', good: 'user.admin' },
            });
            assert.deepEqual(reply.body.result.result_error.bad, {
                error: 'NOT_FOUND',
                error_description: 'Item not found',
            });
            assert.equal(reply.body.result.result.good, true);
            assert.deepEqual(reply.body.result.result_next, []);
            assert.deepEqual(reply.body.result.result_total, []);
        });
    });

    it('stops at the first failure with halt=1', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await rest(emulator, 'batch', {
                halt: 1,
                cmd: { bad: 'crm.item.get?entityTypeId=2&id=99', good: 'user.admin' },
            });
            assert.deepEqual(Object.keys(reply.body.result.result_error), ['bad']);
            assert.deepEqual(reply.body.result.result, []);
        });
    });

    it('reads halt like PHP (bool): the string "false" halts, "0" does not', async () => {
        await withEmulator({}, async (emulator) => {
            const cmd = { bad: 'crm.item.get?entityTypeId=2&id=99', good: 'user.admin' };
            const text = await rest(emulator, 'batch', { halt: 'false', cmd });
            assert.deepEqual(text.body.result.result, []);
            const zero = await rest(emulator, 'batch', { halt: '0', cmd });
            assert.equal(zero.body.result.result.good, true);
        });
    });

    it('answers commands 51 and beyond with ERROR_BATCH_LENGTH_EXCEEDED', async () => {
        await withEmulator({}, async (emulator) => {
            const cmd = Object.fromEntries(Array.from({ length: 52 }, (_, i) => [`c${i}`, 'user.admin']));
            const reply = await rest(emulator, 'batch', { cmd });
            assert.equal(Object.keys(reply.body.result.result).length, 50);
            assert.deepEqual(reply.body.result.result_error.c50, {
                error: 'ERROR_BATCH_LENGTH_EXCEEDED',
                error_description: 'Max batch length exceeded',
            });
            assert.ok(reply.body.result.result_error.c51);
        });
    });

    it('does not allow a batch inside a batch', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await rest(emulator, 'batch', { cmd: { inner: 'batch?cmd[a]=user.admin' } });
            assert.equal(reply.body.result.result_error.inner.error, 'ERROR_BATCH_METHOD_NOT_ALLOWED');
        });
    });

    it('accepts a form-encoded batch whose commands are double-encoded', async () => {
        await withEmulator({}, async (emulator) => {
            const command = encodeURIComponent('crm.item.add?entityTypeId=2&fields[title]=A%26B');
            const reply = await postForm(
                `${emulator.portalUrl}/rest/`,
                'batch',
                `auth=${emulator.app.accessToken}&halt=0&cmd[one]=${command}`,
            );
            assert.equal(reply.body.result.result.one.item.title, 'A&B');
        });
    });

    it('applies the outer auth_connector to every command, for echo suppression', async () => {
        await withEmulator({}, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALADD', { auth_connector: 'erp' });
            await rest(emulator, 'batch', {
                auth_connector: 'erp',
                cmd: { a: 'crm.deal.add?fields[TITLE]=x' },
            });
            assert.equal(emulator.control.queueRows().length, 0);
            // A per-command auth_connector is not honoured: the write echoes into the erp queue.
            await rest(emulator, 'batch', { cmd: { a: 'crm.deal.add?fields[TITLE]=y&auth_connector=erp' } });
            assert.equal(emulator.control.queueRows().length, 1);
        });
    });

    it('runs event.offline.get inside a batch with the outer auth', async () => {
        await withEmulator({}, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALADD');
            emulator.control.userChange({ entity: 'deal', action: 'add' });
            const reply = await rest(emulator, 'batch', {
                cmd: { get: 'event.offline.get?clear=0&limit=10' },
            });
            assert.equal(reply.body.result.result.get.events.length, 1);
            assert.match(reply.body.result.result.get.process_id, /^[a-z0-9]{32}$/);
        });
    });

    it('reads each command with parse_str, so values are strings, while a single JSON call keeps its types (docs/bitrix24.md §15.9)', async () => {
        await withEmulator({}, async (emulator) => {
            const single = await rest(emulator, 'crm.item.add', {
                entityTypeId: 2,
                fields: { title: true, comments: null },
            });
            const batch = await rest(emulator, 'batch', {
                cmd: { add: 'crm.item.add?entityTypeId=2&fields[title]=1&fields[comments]=' },
            });
            const fromBatch = batch.body.result.result.add.item;
            assert.deepEqual([single.body.result.item.title, single.body.result.item.comments], [true, null]);
            assert.deepEqual([fromBatch.title, fromBatch.comments], ['1', '']);
        });
    });
});
