import assert from 'node:assert/strict';

import helper from 'node-red-node-test-helper';

import getModule from '../../dist/nodes/bitrix24-offline-get';
import portalModule from '../../dist/nodes/bitrix24-portal';
import triggerModule from '../../dist/nodes/bitrix24-onoffline-trigger';
import { collect, rowsQueued, until } from '../helpers/emulator-flow';
import { spies } from '../helpers/node-flow';
import { captureRed } from '../helpers/red';
import {
    form,
    FORM,
    portalState,
    prototypePolluted,
    send,
    useHostileBench,
    type RawRequest,
} from './helpers';

const PATH = '/bitrix24/onoffline';
const REFUSED = 'bitrix24-onoffline-trigger.status.refused';
/** Keys a hostile body tries to put on Object.prototype. */
const POLLUTION_KEYS = ['polluted', 'application_token', 'applicationToken', 'error'];

/** A ring as the portal's event server posts it (docs/bitrix24.md §6), with the given fields changed. */
function ring(token: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
        event: 'ONOFFLINEEVENT',
        ts: '1764324000',
        'auth[access_token]': 'at-in-ring-000111',
        'auth[domain]': 'portal.example.com',
        'auth[member_id]': 'member-42',
        'auth[application_token]': token,
        ...extra,
    };
}

describe('security: the ONOFFLINEEVENT endpoint refuses what the portal did not send, changing nothing', function () {
    this.timeout(20_000);
    const red = captureRed();
    const setup = useHostileBench(red, POLLUTION_KEYS, async ({ bench, emulator }) => {
        const portal = bench.portal();
        await helper.load(
            [portalModule, triggerModule, getModule, red.module],
            [
                portal.node,
                { id: 'tab', type: 'tab' },
                // A ring that got through would start a read that reserves the rows below.
                {
                    id: 't1',
                    z: 'tab',
                    type: 'bitrix24-onoffline-trigger',
                    portal: 'portal',
                    path: PATH,
                    pollInterval: 0,
                    wires: [['rings', 'get']],
                },
                {
                    id: 'get',
                    z: 'tab',
                    type: 'bitrix24-offline-get',
                    portal: 'portal',
                    wires: [['events'], []],
                },
                { id: 'rings', z: 'tab', type: 'helper' },
                { id: 'events', z: 'tab', type: 'helper' },
            ],
            { portal: portal.credentials },
        );
        for (let n = 1; n <= 3; n++) {
            emulator.control.userChange({ entity: 'deal', action: 'add', fields: { title: `Deal ${n}` } });
        }
        await rowsQueued(emulator, 3); // written just after the answer (docs/bitrix24.md §15.2)
        // The get node looks for orphaned reservations once at start; after that it is quiet.
        await until(
            () => (emulator.control.counters().requestsByMethod['event.offline.list'] ?? 0) >= 1,
            5000,
            "the get node's start-up scan",
        );
    });

    const url = () => `${setup.bench.publicUrl}${PATH}`;
    const refusals = () =>
        spies(helper.getNode('t1'))
            .status.getCalls()
            .filter((call) => (call.args[0] as { text?: string }).text === REFUSED).length;

    /** Sends a request the trigger must refuse and checks that nothing at all happened. */
    async function expectRefused(request: RawRequest, status: number) {
        const rings = collect('rings');
        const events = collect('events');
        const before = portalState(setup.emulator);
        const response = await send(url(), request);
        assert.equal(response.status, status);
        // The badge counts each refusal once the request is judged: then nothing more can follow.
        await until(() => refusals() === 1, 5000, 'the refusal');
        assert.deepEqual(rings, [], 'no msg from the trigger');
        assert.deepEqual(events, [], 'no read');
        assert.deepEqual(portalState(setup.emulator), before, 'no request, no row or binding changed');
    }

    it('lets a genuine ring through, and its read reserves the rows (the control for the refusals)', async () => {
        const rings = collect('rings');
        const events = collect('events');
        const response = await send(url(), {
            body: form(ring(setup.emulator.app.applicationToken)),
            contentType: FORM,
        });
        assert.equal(response.status, 200);
        await until(() => events.length === 1, 5000, 'the read');
        assert.equal(rings.length, 1);
        assert.equal(setup.emulator.control.counters().rowsReserved, 3);
    });

    const refusedRings: [string, () => Promise<RawRequest> | RawRequest][] = [
        [
            'a wrong application token',
            () => ({ body: form(ring('apptoken-forged-1234')), contentType: FORM }),
        ],
        [
            'no application token',
            () => {
                const { ['auth[application_token]']: _dropped, ...fields } = ring('');
                return { body: form(fields), contentType: FORM };
            },
        ],
        ['an empty application token', () => ({ body: form(ring('')), contentType: FORM })],
        [
            'the application token of another application on the same portal',
            async () => {
                const other = await setup.emulator.control.installApp({});
                return { body: form(ring(other.applicationToken)), contentType: FORM };
            },
        ],
        [
            'the application token of another portal',
            () => ({ body: form(ring(setup.otherPortal.app.applicationToken)), contentType: FORM }),
        ],
        [
            'the right token with a different event',
            () => ({
                body: form(ring(setup.emulator.app.applicationToken, { event: 'ONCRMDEALUPDATE' })),
                contentType: FORM,
            }),
        ],
        [
            'the right token in an array where a string belongs',
            () => ({
                body: `event=ONOFFLINEEVENT&auth[application_token][]=${setup.emulator.app.applicationToken}`,
                contentType: FORM,
            }),
        ],
        [
            'the event name in an array',
            () => ({
                body: `event[]=ONOFFLINEEVENT&auth[application_token]=${setup.emulator.app.applicationToken}`,
                contentType: FORM,
            }),
        ],
        [
            'the right token with ts in an array',
            () => ({
                body: `${form(ring(setup.emulator.app.applicationToken, { ts: '1' })).replace('ts=1', 'ts[]=1')}`,
                contentType: FORM,
            }),
        ],
        [
            'a JSON body carrying the right token (not form-encoded)',
            () => ({
                body: JSON.stringify({
                    event: 'ONOFFLINEEVENT',
                    auth: { application_token: setup.emulator.app.applicationToken },
                }),
                contentType: 'application/json',
            }),
        ],
        [
            'a broken %-escape in the token',
            () => ({
                body: `event=ONOFFLINEEVENT&auth[application_token]=${setup.emulator.app.applicationToken}%E0%A4%A`,
                contentType: FORM,
            }),
        ],
        [
            'the right token beside a broken %-escape',
            () => ({
                body: `${form(ring(setup.emulator.app.applicationToken))}&auth[domain]=%ZZportal`,
                contentType: FORM,
            }),
        ],
        [
            'a body over 16 KB',
            () => ({
                body: `${form(ring(setup.emulator.app.applicationToken))}&pad=${'x'.repeat(17 * 1024)}`,
                contentType: FORM,
            }),
        ],
        [
            'a body over 16 KB sent in chunks without a Content-Length',
            () => ({
                body: `${form(ring(setup.emulator.app.applicationToken))}&pad=${'x'.repeat(17 * 1024)}`,
                contentType: FORM,
                chunked: true,
            }),
        ],
    ];
    for (const [what, request] of refusedRings) {
        const status = /16 KB/.test(what) ? 413 : 200;
        it(`refuses a ring with ${what}${status === 200 ? ' (answering 200 first, as the portal expects)' : ' with 413'}`, async () => {
            await expectRefused(await request(), status);
        });
    }

    it('refuses a GET carrying the right token with 404, changing nothing', async () => {
        const rings = collect('rings');
        const before = portalState(setup.emulator);
        const query = new URLSearchParams(ring(setup.emulator.app.applicationToken)).toString();
        assert.equal((await send(`${url()}?${query}`, { method: 'GET' })).status, 404);
        assert.deepEqual(rings, []);
        assert.deepEqual(portalState(setup.emulator), before);
    });

    it('keeps the __proto__ keys of a hostile body off Object.prototype, so the runtime goes on reading the portal', async () => {
        const hostile = [
            '__proto__[polluted]=yes',
            '__proto__[error]=planted',
            '__proto__[applicationToken]=planted-token-1234',
            'auth[__proto__][application_token]=planted-token-1234',
            'event=ONOFFLINEEVENT',
        ].join('&');
        await expectRefused({ body: hostile, contentType: FORM }, 200);
        assert.equal(prototypePolluted(...POLLUTION_KEYS), false, 'Object.prototype is clean');
        // The runtime still talks to the portal: an `error` key planted on every object would fail each reply.
        const events = collect('events');
        await send(url(), { body: form(ring(setup.emulator.app.applicationToken)), contentType: FORM });
        await until(() => events.length === 1, 5000, 'the read after the hostile body');
    });
});
