import assert from 'node:assert/strict';

import type { Bitrix24Client } from '../../dist/bitrix24';
import { type Bitrix24Error } from '../../dist/bitrix24';
import { Enricher } from '../../dist/runtime/enrich/enricher';
import { fieldSelector } from '../../dist/runtime/enrich/field-select';
import { checkUserMap, planFor } from '../../dist/runtime/enrich/read-map';
import { fail, ok } from '../helpers/fake-portal';
import { useFakePortals } from '../helpers/use-fake-portals';

const event = (name: string, data: unknown, id = '1') => ({
    ID: id,
    TIMESTAMP_X: '2026-11-28T10:00:00+00:00',
    EVENT_NAME: name,
    EVENT_DATA: data,
    EVENT_ADDITIONAL: { user_id: '1' },
    MESSAGE_ID: id.padStart(32, '0'),
});

describe('enrich runtime', () => {
    describe('planFor', () => {
        const readOf = (name: string, data: unknown) => {
            const plan = planFor({ EVENT_NAME: name, EVENT_DATA: data });
            assert.ok('read' in plan, `${name} is read`);
            return { method: plan.read.method, params: plan.read.params };
        };

        it('reads CRM entities with crm.item.get and their entity type', () => {
            assert.deepEqual(readOf('ONCRMDEALUPDATE', { FIELDS: { ID: '49' } }), {
                method: 'crm.item.get',
                params: { entityTypeId: 2, id: 49 },
            });
            const entityTypes: [string, number][] = [
                ['ONCRMLEADADD', 1],
                ['ONCRMCONTACTUPDATE', 3],
                ['ONCRMCOMPANYUPDATE', 4],
                ['ONCRMQUOTEUPDATE', 7],
                ['ONCRMDEALMOVETOCATEGORY', 2],
            ];
            for (const [event, entityTypeId] of entityTypes) {
                assert.deepEqual(readOf(event, { FIELDS: { ID: 5 } }).params, { entityTypeId, id: 5 }, event);
            }
        });

        it('takes a smart process type from ENTITY_TYPE_ID or the _<id> suffix', () => {
            assert.deepEqual(
                readOf('ONCRMDYNAMICITEMUPDATE', { FIELDS: { ID: '7', ENTITY_TYPE_ID: '1036' } }).params,
                {
                    entityTypeId: 1036,
                    id: 7,
                },
            );
            assert.deepEqual(readOf('ONCRMDYNAMICITEMADD_147', { FIELDS: { ID: 7 } }).params, {
                entityTypeId: 147,
                id: 7,
            });
        });

        it('reads activities and tasks with their own methods', () => {
            assert.deepEqual(readOf('ONCRMACTIVITYADD', { FIELDS: { ID: 3 } }), {
                method: 'crm.activity.get',
                params: { id: 3 },
            });
            assert.deepEqual(
                readOf('ONTASKADD', {
                    FIELDS_BEFORE: 'undefined',
                    FIELDS_AFTER: { ID: '11' },
                    IS_ACCESSIBLE_AFTER: 'Y',
                }),
                { method: 'tasks.task.get', params: { taskId: 11 } },
            );
            assert.deepEqual(readOf('ONTASKUPDATE', { FIELDS_BEFORE: { ID: '12' } }).params, { taskId: 12 });
        });

        it('marks DELETE events deleted without a read', () => {
            assert.deepEqual(planFor({ EVENT_NAME: 'ONCRMDEALDELETE', EVENT_DATA: { FIELDS: { ID: 1 } } }), {
                deleted: true,
            });
            assert.deepEqual(
                planFor({ EVENT_NAME: 'ONCRMDYNAMICITEMDELETE_147', EVENT_DATA: { FIELDS: { ID: 1 } } }),
                {
                    deleted: true,
                },
            );
        });

        it('leaves unknown events, user-field events and events without an id alone', () => {
            for (const [name, data] of [
                ['ONCRMPRODUCTUPDATE', { FIELDS: { ID: 1 } }],
                ['ONCRMDEALUSERFIELDADD', { FIELDS: { ID: 1 } }],
                ['ONCRMDEALUPDATE', false],
                ['ONCRMDYNAMICITEMUPDATE', { FIELDS: { ID: 1 } }],
            ] as const) {
                assert.deepEqual(planFor({ EVENT_NAME: name, EVENT_DATA: data }), { unmapped: true }, name);
            }
        });

        it("follows a user's map first: exact names over the longest prefix over the built-ins", () => {
            const map = checkUserMap({
                'ONCRMPRODUCT*': 'crm.product.get',
                'ONCRM*': { method: 'crm.other.get' },
                ONCRMDEALUPDATE: { method: 'crm.deal.get', idParam: 'ID', params: { extra: 1 } },
            });
            const plan = (name: string) => {
                const p = planFor({ EVENT_NAME: name, EVENT_DATA: { FIELDS: { ID: 9 } } }, map);
                return 'read' in p ? [p.read.method, p.read.params] : p;
            };
            assert.deepEqual(plan('ONCRMPRODUCTUPDATE'), ['crm.product.get', { id: 9 }]);
            assert.deepEqual(plan('ONCRMDEALUPDATE'), ['crm.deal.get', { extra: 1, ID: 9 }]);
            assert.deepEqual(plan('ONCRMLEADADD'), ['crm.other.get', { id: 9 }]);
            assert.deepEqual(plan('ONTASKADD'), ['tasks.task.get', { taskId: 9 }]);
        });

        it('refuses a map that is not one', () => {
            for (const map of [
                'crm.product.get',
                { ONX: 5 },
                { ONX: { method: 'a b' } },
                { ONX: { method: 'x.get', params: 1 } },
            ]) {
                assert.throws(
                    () => checkUserMap(map),
                    (err: Bitrix24Error) => err.code === 'INVALID_ARGUMENT',
                );
            }
        });
    });

    describe('fieldSelector', () => {
        it('keeps the chosen fields in either spelling, and the id', () => {
            const select = fieldSelector(' TITLE, STAGE_ID ,ufCrm_5 ');
            assert.deepEqual(select({ id: 1, title: 'a', stageId: 'NEW', opportunity: 5, ufCrm5: 'x' }), {
                id: 1,
                title: 'a',
                stageId: 'NEW',
                ufCrm5: 'x',
            });
            assert.deepEqual(select({ ID: '1', TITLE: 'a', STAGE_ID: 'NEW', OPPORTUNITY: '5' }), {
                ID: '1',
                TITLE: 'a',
                STAGE_ID: 'NEW',
            });
        });

        it('keeps everything when empty or *', () => {
            const object = { id: 1, title: 'a' };
            assert.equal(fieldSelector('')(object), object);
            assert.equal(fieldSelector('*, TITLE')(object), object);
        });
    });

    describe('Enricher', () => {
        const { connect, portal } = useFakePortals('portal');
        let client: Bitrix24Client;
        const deals = new Map<number, { id: number; title: string; stageId: string }>();

        beforeEach(() => {
            portal().withBatch();
            deals.clear();
            for (let id = 1; id <= 120; id++) deals.set(id, { id, title: `deal ${id}`, stageId: 'NEW' });
            portal().on('crm.item.get', (req) => {
                const deal = deals.get(Number(req.body.id));
                return deal ? ok({ item: deal }) : fail(400, 'NOT_FOUND', 'Item not found');
            });
            portal().on('tasks.task.get', () =>
                fail(400, 'ERROR_CORE', 'TASKS_ERROR_EXCEPTION_#256; Task not found or not accessible'),
            );
            portal().on('crm.activity.get', () => fail(403, 'ACCESS_DENIED', 'Access denied'));
            client = connect(
                portal(),
                { type: 'oauth', tokens: { accessToken: 'at-enrich-unit-9012' } },
                { mergeCalls: false },
            );
        });

        it('reads 200 events of 120 deals, 10 deleted, in at most 3 requests, reading each deal once', async () => {
            // 195 updates over deals 1..120 (deals 1..75 change twice), then 5 deletes of deals 111..115.
            const events = [];
            for (let i = 0; i < 195; i++) {
                events.push(
                    event('ONCRMDEALUPDATE', { FIELDS: { ID: String((i % 120) + 1) } }, String(i + 1)),
                );
            }
            for (let id = 111; id <= 115; id++) {
                events.push(
                    event('ONCRMDEALDELETE', { FIELDS: { ID: String(id) } }, String(events.length + 1)),
                );
            }
            // Deals 111..120 are gone by the time they are read.
            for (let id = 111; id <= 120; id++) deals.delete(id);
            const result = await new Enricher(client).enrich(events);
            assert.ok(portal().requests.length <= 3, `${portal().requests.length} requests`);
            assert.equal(result.reads, 120);
            assert.equal(result.events.length, 200);
            const deleted = result.events.filter((e) => e.deleted);
            // The 10 updates of gone deals, and the 5 deletes.
            assert.equal(deleted.length, 15);
            assert.ok(deleted.every((e) => e.object === undefined));
            const first = result.events[0];
            assert.deepEqual(first.object, { id: 1, title: 'deal 1', stageId: 'NEW' });
            assert.equal(first.MESSAGE_ID, events[0].MESSAGE_ID);
        });

        it('drops what is gone with onMissing drop, and limits fields with select', async () => {
            deals.delete(2);
            const result = await new Enricher(client).enrich(
                [
                    event('ONCRMDEALUPDATE', { FIELDS: { ID: 1 } }),
                    event('ONCRMDEALUPDATE', { FIELDS: { ID: 2 } }),
                    event('ONCRMDEALDELETE', { FIELDS: { ID: 3 } }),
                ],
                { onMissing: 'drop', select: 'TITLE' },
            );
            assert.deepEqual(
                result.events.map((e) => e.object),
                [{ id: 1, title: 'deal 1' }],
            );
        });

        it('treats a task that is not found as deleted, and marks other read errors on the event', async () => {
            const result = await new Enricher(client).enrich([
                event('ONTASKUPDATE', { FIELDS_AFTER: { ID: 4 } }),
                event('ONCRMACTIVITYUPDATE', { FIELDS: { ID: 5 } }),
                event('ONCRMPRODUCTUPDATE', { FIELDS: { ID: 6 } }),
            ]);
            assert.equal(result.events[0].deleted, true);
            assert.equal(result.events[1].error?.code, 'ACCESS_DENIED');
            assert.equal(result.events[2].object, undefined);
            assert.deepEqual(result.unmapped, ['ONCRMPRODUCTUPDATE']);
        });

        it('fails as a whole on a passing failure, so that the events are processed later', async () => {
            portal().on('crm.item.get', () =>
                fail(429, 'OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.'),
            );
            await assert.rejects(
                new Enricher(client).enrich([event('ONCRMDEALUPDATE', { FIELDS: { ID: 1 } })]),
                { code: 'OPERATION_TIME_LIMIT' },
            );
        });

        it('makes no request when nothing needs reading', async () => {
            const result = await new Enricher(client).enrich([
                event('ONCRMDEALDELETE', { FIELDS: { ID: 1 } }),
            ]);
            assert.equal(result.events[0].deleted, true);
            assert.equal(portal().requests.length, 0);
        });
    });
});
