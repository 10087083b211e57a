import assert from 'node:assert/strict';

import type { NodeAPI } from 'node-red';
import helper from 'node-red-node-test-helper';
import supertest from 'supertest';

import { portalNode, UNPACED } from '../../dist/demo/portal-node';
import bindModule from '../../dist/nodes/bitrix24-bind';
import callModule from '../../dist/nodes/bitrix24-call';
import enrichModule from '../../dist/nodes/bitrix24-enrich';
import clearModule from '../../dist/nodes/bitrix24-offline-clear';
import errorModule from '../../dist/nodes/bitrix24-offline-error';
import getModule from '../../dist/nodes/bitrix24-offline-get';
import listModule from '../../dist/nodes/bitrix24-offline-list';
import portalModule from '../../dist/nodes/bitrix24-portal';
import triggerModule from '../../dist/nodes/bitrix24-onoffline-trigger';
import { onTab, startFakePortalFlow, type FakePortalFlow } from '../helpers/fake-portal-flow';
import { collect, until } from '../helpers/emulator-flow';
import { FakePortal, ok, type FakeReply } from '../helpers/fake-portal';
import { captureRed } from '../helpers/red';
import { dealUpdateEvent } from '../helpers/offline-event';

const APP_TOKEN = 'apptoken-answers-77aa88bb';
const CREDS = { clientId: 'local.answers', accessToken: 'at-answers-0001', applicationToken: APP_TOKEN };
const PROCESS_ID = 'c'.repeat(32);
const EVENT = dealUpdateEvent(7);

/** Answers a server in front of the portal may give instead of Bitrix24's, and what the user reads. */
const ANSWERS: [string, (otherHost: string) => FakeReply, RegExp][] = [
    ['malformed JSON', () => ({ body: '{"result": [1, 2' }), /not a Bitrix24 REST reply.*not JSON/],
    [
        'an HTML page',
        () => ({
            body: '<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>',
            headers: { 'Content-Type': 'text/html' },
        }),
        /not a Bitrix24 REST reply.*HTML page/,
    ],
    [
        'a 200 without result',
        () => ({ body: { time: { start: 0 } } }),
        /not a Bitrix24 REST reply.*without a result/,
    ],
    ['an empty body', () => ({ body: '' }), /not a Bitrix24 REST reply/],
    [
        'a 302 to another host',
        (otherHost) => ({ status: 302, body: '', headers: { Location: `${otherHost}/rest/profile.json` } }),
        /could not be confirmed as the same portal.*PORTAL_MOVED/,
    ],
    ['a connection reset', () => 'drop', /could not be reached/],
];

/** A node, the calls its msg makes, and the portal's proper answers to them. */
interface Subject {
    type: string;
    module: (red: NodeAPI) => void;
    config: Record<string, unknown>;
    /** Answered badly; `batch` too, since calls of one moment share a batch request. */
    methods: string[];
    good: Record<string, FakeReply>;
    msg: Record<string, unknown>;
}

const SUBJECTS: Subject[] = [
    {
        type: 'bitrix24-offline-get',
        module: getModule,
        config: { maxOpen: 1, wires: [['out'], []] },
        methods: ['event.offline.get'],
        good: { 'event.offline.get': ok({ process_id: PROCESS_ID, events: [EVENT] }) },
        msg: {},
    },
    {
        type: 'bitrix24-offline-clear',
        module: clearModule,
        config: { coalesce: false },
        methods: ['event.offline.clear'],
        good: { 'event.offline.clear': ok(true) },
        msg: { process_id: PROCESS_ID },
    },
    {
        type: 'bitrix24-offline-error',
        module: errorModule,
        config: { coalesce: false },
        methods: ['event.offline.error'],
        good: { 'event.offline.error': ok(true) },
        msg: { process_id: PROCESS_ID, message_id: EVENT.MESSAGE_ID },
    },
    {
        type: 'bitrix24-offline-list',
        module: listModule,
        config: {},
        methods: ['event.offline.list'],
        good: { 'event.offline.list': ok([], { total: 0 }) },
        msg: {},
    },
    {
        type: 'bitrix24-bind',
        module: bindModule,
        config: { action: 'bind', eventName: 'ONCRMDEALUPDATE', eventType: 'offline' },
        methods: ['event.bind'],
        good: { 'event.bind': ok(true) },
        msg: {},
    },
    {
        type: 'bitrix24-call',
        module: callModule,
        config: { method: 'crm.deal.update' },
        methods: ['crm.deal.update'],
        good: { 'crm.deal.update': ok(true) },
        msg: { payload: { id: 7, fields: { TITLE: 'x' } } },
    },
    {
        type: 'bitrix24-enrich',
        module: enrichModule,
        config: {},
        methods: ['crm.item.get'],
        good: { 'crm.item.get': ok({ item: { id: 7, title: 'Deal' } }) },
        msg: { payload: [EVENT] },
    },
];

describe('security: portal answers that are not Bitrix24 give a clear error and no crash', function () {
    this.timeout(30_000);
    let portal: FakePortal;
    let otherHost: FakePortal;
    let fake: FakePortalFlow;
    const red = captureRed();

    beforeEach(async () => {
        fake = await startFakePortalFlow();
        portal = fake.portal.withBatch();
        // The offline-get node looks for orphaned reservations at start: none.
        portal.on('event.offline.list', () => ok([], { total: 0 }));
        otherHost = await new FakePortal().start();
    });

    afterEach(async () => {
        await fake.stop();
        await otherHost.stop();
    });

    async function load(type: string, module: (red: NodeAPI) => void, config: Record<string, unknown>) {
        await helper.load(
            [portalModule, module, red.module],
            onTab(
                portalNode(portal, { id: 'p1', ...UNPACED }),
                { id: 'n1', type, portal: 'p1', wires: [['out']], ...config },
                { id: 'out', type: 'helper' },
                { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
                { id: 'errors', type: 'helper' },
            ),
            { p1: CREDS },
        );
        return { out: collect('out'), errors: collect('errors') };
    }

    function answerBadly(methods: string[], reply: FakeReply) {
        for (const method of [...methods, 'batch']) portal.on(method, () => reply);
    }

    function answerWell(good: Record<string, FakeReply>) {
        portal.withBatch();
        for (const [method, reply] of Object.entries(good)) portal.on(method, () => reply);
    }

    const messageOf = (msg: Record<string, unknown>) => (msg.error as { message: string }).message;

    for (const subject of SUBJECTS) {
        for (const [what, answer, pattern] of ANSWERS) {
            it(`${subject.type}: ${what} reaches a Catch node as a clear error, and the next good answer works`, async () => {
                const { out, errors } = await load(subject.type, subject.module, subject.config);
                answerBadly(subject.methods, answer(otherHost.url));
                helper.getNode('n1').receive({ ...subject.msg });
                await until(() => errors.length === 1, 20_000, 'the error');
                assert.match(messageOf(errors[0]), pattern);
                assert.equal(out.length, 0);
                assert.equal(otherHost.requests.length, 0, 'no request followed the redirect');

                answerWell(subject.good);
                helper.getNode('n1').receive({ ...subject.msg });
                await until(() => out.length === 1, 10_000, 'the msg after a good answer');
                assert.equal(errors.length, 1);
            });
        }
    }

    for (const [what, answer, pattern] of ANSWERS) {
        it(`bitrix24-portal: Test connection answers ${what} with the code and a clear message, then recovers`, async () => {
            await load('bitrix24-call', callModule, { method: 'profile' });
            answerBadly(['profile', 'user.admin', 'feature.get'], answer(otherHost.url));
            const failed = await helper.request().post('/bitrix24/portal/p1/test').expect(200);
            const body = failed.body as { ok: boolean; code: string; message: string };
            assert.equal(body.ok, false);
            assert.match(body.code, /BAD_RESPONSE|NETWORK_ERROR|PORTAL_MOVED/);
            assert.match(body.message, pattern);
            assert.equal(otherHost.requests.length, 0);

            answerWell({
                profile: ok({ ID: '1', NAME: 'Anna', ADMIN: true }),
                'user.admin': ok(true),
                'feature.get': ok({ value: 'Y' }),
            });
            const passed = await helper.request().post('/bitrix24/portal/p1/test').expect(200);
            assert.equal((passed.body as { ok: boolean }).ok, true);
        });
    }

    for (const [what, answer, pattern] of ANSWERS) {
        it(`bitrix24-onoffline-trigger: ${what} to its binding at deploy reaches a Catch node, and rings still pass`, async () => {
            answerBadly(['event.get', 'event.bind'], answer(otherHost.url));
            const { out, errors } = await load('bitrix24-onoffline-trigger', triggerModule, {
                autoBind: true,
                publicUrl: 'https://nodered.example.com',
                pollInterval: 0,
            });
            await until(() => errors.length === 1, 20_000, 'the error');
            assert.match(messageOf(errors[0]), pattern);
            assert.equal(otherHost.requests.length, 0);
            await supertest(red.red.httpNode)
                .post('/bitrix24/onoffline')
                .type('form')
                .send({ event: 'ONOFFLINEEVENT', 'auth[application_token]': APP_TOKEN })
                .expect(200);
            await until(() => out.length === 1, 5000, 'the ring');
        });
    }
});
