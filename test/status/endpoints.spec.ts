import assert from 'node:assert/strict';

import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';

import { bindOffline } from '../../dist/demo/demo-emulator';
import type { NodeRedProcess } from '../../dist/demo/node-red-process';
import { type Emulator } from '../../dist/emulator';
import { addDeals, until } from '../helpers/emulator-flow';
import { profileCallFlow, useRuntimeOnEmulator } from '../helpers/node-red-runtime';
import { ADMIN_AUTH, adminGet, commsMessages, login, rowWhen, status, type UserName } from './status-runtime';

/**
 * The status and metrics routes in a real Node-RED with adminAuth (the test helper stubs
 * RED.auth.needsPermission, docs/node-red.md §5), on the emulator.
 */
describe('status: GET /bitrix24/status and /bitrix24/metrics in a real runtime', function () {
    this.timeout(90_000);
    const setup = useRuntimeOnEmulator();
    let runtime: NodeRedProcess;
    const tokens: Partial<Record<UserName, string>> = {};

    /** A runtime with adminAuth, the portal and a call node deployed, `deals` deals queued. */
    async function start(emulator: Emulator, deals = 0): Promise<void> {
        await bindOffline(emulator, 'ONCRMDEALADD');
        if (deals > 0) await addDeals(emulator, deals);
        emulator.control.resetCounters();
        ({ runtime } = await setup.start(ADMIN_AUTH));
        for (const user of ['reader', 'admin', 'flowsOnly'] as const)
            tokens[user] = await login(runtime, user);
        await runtime.deploy(profileCallFlow(emulator, 'Status'), { token: tokens.admin, started: true });
    }

    async function press(): Promise<void> {
        const response = await fetch(`${runtime.url}/inject/go`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${tokens.admin}` },
        });
        assert.equal(response.status, 200);
    }

    it('answers 401 to a request without a token', async function () {
        await start(setup.emulator);
        for (const route of ['status', 'metrics']) {
            assert.equal((await adminGet(runtime, route)).status, 401, route);
        }
    });

    it('refuses a user without bitrix24.read whose token is good for the flows', async function () {
        await start(setup.emulator);
        // Node-RED answers a missing permission with 401, like a missing token
        // (@node-red/editor-api lib/auth/index.js, needsPermission).
        for (const route of ['status', 'metrics']) {
            const refused = await adminGet(runtime, route, tokens.flowsOnly);
            assert.equal(refused.status, 401, route);
            assert.doesNotMatch(await refused.text(), /bitrix24_|rows/);
        }
        const flows = await fetch(`${runtime.url}/flows`, {
            headers: { Authorization: `Bearer ${tokens.flowsOnly}` },
        });
        assert.equal(flows.status, 200);
    });

    it("shows the portal's queue as the emulator counts it, read once", async function () {
        await start(setup.emulator, 3);
        const row = await rowWhen(
            runtime,
            tokens.reader,
            'portal',
            (r) => r.queueReadAt !== null,
            'a queue read',
        );
        const gauges = setup.emulator.control.counters().queue;
        assert.deepEqual(
            { state: row.state, backlog: row.backlog, reserved: row.reserved, errorRows: row.errorRows },
            { state: 'ok', backlog: gauges.rows, reserved: gauges.reserved, errorRows: gauges.errored },
        );
        assert.equal(row.backlog, 3);
        assert.equal(setup.emulator.control.counters().requestsByMethod.batch, 1);
    });

    it("takes a list node's figures as its own read of the queue", async function () {
        const { emulator } = setup;
        await start(emulator, 4);
        await runtime.deploy(
            [
                ...profileCallFlow(emulator, 'Status'),
                {
                    id: 'list',
                    z: 'tab',
                    type: 'bitrix24-offline-list',
                    portal: 'portal',
                    wires: [[]],
                },
                {
                    id: 'look',
                    z: 'tab',
                    type: 'inject',
                    props: [{ p: 'payload' }],
                    payload: '',
                    payloadType: 'str',
                    wires: [['list']],
                },
            ],
            { token: tokens.admin, started: true },
        );
        const response = await fetch(`${runtime.url}/inject/look`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${tokens.admin}` },
        });
        assert.equal(response.status, 200);
        await until(() => (emulator.control.counters().requestsByMethod.batch ?? 0) >= 1, 10_000, 'the list');
        const row = await rowWhen(runtime, tokens.reader, 'portal', (r) => r.backlog === 4, 'the figures');
        assert.notEqual(row.queueReadAt, null);
        assert.equal(emulator.control.counters().requestsByMethod.batch, 1);
    });

    it("serves metrics that parse as Prometheus text and carry the emulator's request counts", async function () {
        await start(setup.emulator, 2);
        await press();
        await press();
        await until(
            () => (setup.emulator.control.counters().requestsByMethod.profile ?? 0) >= 2,
            10_000,
            'two calls',
        );
        await rowWhen(runtime, tokens.reader, 'portal', (r) => r.queueReadAt !== null, 'a queue read');
        const response = await adminGet(runtime, 'metrics', tokens.reader);
        assert.equal(response.status, 200);
        const contentType = response.headers.get('content-type') ?? '';
        assert.match(contentType, /^text\/plain;/);
        assert.match(contentType, /version=0\.0\.4/);
        const families = parsePrometheusTextFormat(await response.text());
        const counters = setup.emulator.control.counters();
        const requests = family(families, 'bitrix24_requests_total');
        assert.equal(requests.type, 'COUNTER');
        const sent = requests.metrics.reduce((sum, sample) => sum + Number(sample.value), 0);
        assert.equal(sent, counters.requests);
        assert.deepEqual(requests.metrics[0].labels, {
            portal: new URL(setup.emulator.portalUrl).host,
            node: 'portal',
            code: '200',
        });
        assert.equal(
            Number(family(families, 'bitrix24_queue_backlog').metrics[0].value),
            counters.queue.rows,
        );
        assert.ok(family(families, 'bitrix24_bucket_level').help.length > 0);
    });

    it("counts the portal's 503s as the emulator does and marks the portal throttled", async function () {
        const { emulator } = setup;
        await start(emulator);
        emulator.control.injectFaults({ burst503: 2 });
        await press();
        await until(() => emulator.control.counters().status503 >= 2, 20_000, 'two 503s');
        await until(
            () => (emulator.control.counters().requestsByMethod.profile ?? 0) >= 1,
            20_000,
            'the call',
        );
        const row = await rowWhen(
            runtime,
            tokens.reader,
            'portal',
            (r) => r.lastHour.status503 === 2,
            '503s',
        );
        assert.equal(emulator.control.counters().status503, 2);
        assert.equal(row.state, 'throttled');
        assert.equal(row.totals.requests['503'], 2);
        assert.equal(row.lastError, null);
    });

    it('marks a portal whose application subscription ran out as blocked, with the hint', async function () {
        await start(setup.emulator);
        setup.emulator.control.setAppState(setup.emulator.app.clientId, { paymentExpired: true });
        await press();
        const row = await rowWhen(runtime, tokens.reader, 'portal', (r) => r.state === 'blocked', 'blocked');
        assert.equal(row.lastError?.code, 'PAYMENT_REQUIRED');
        assert.ok((row.lastError?.message.length ?? 0) > 'PAYMENT_REQUIRED'.length, row.lastError?.message);
        const families = parsePrometheusTextFormat(
            await (await adminGet(runtime, 'metrics', tokens.reader)).text(),
        );
        assert.equal(family(families, 'bitrix24_portal_up').metrics[0].value, '0');
    });

    it('puts no token or secret in the status, the metrics or the socket messages', async function () {
        const { emulator } = setup;
        await start(emulator, 1);
        const socket = await commsMessages(runtime, tokens.reader!, 'bitrix24/status');
        try {
            await press();
            const watch = await fetch(`${runtime.url}/bitrix24/status/watch`, {
                method: 'POST',
                headers: { Authorization: `Bearer ${tokens.reader}` },
            });
            assert.equal(watch.status, 200);
            await until(() => socket.texts.length > 0, 20_000, 'a live update');
            const texts = [
                JSON.stringify(await status(runtime, tokens.reader)),
                await (await adminGet(runtime, 'metrics', tokens.reader)).text(),
                ...socket.texts,
            ];
            const secrets = [
                emulator.app.clientSecret,
                emulator.app.accessToken,
                emulator.app.refreshToken,
                emulator.app.applicationToken,
                ...emulator.control.issuedTokens().flatMap((t) => [t.accessToken, t.refreshToken]),
            ].filter((secret): secret is string => typeof secret === 'string' && secret.length > 0);
            assert.ok(secrets.length >= 4);
            for (const text of texts) for (const secret of secrets) assert.ok(!text.includes(secret));
        } finally {
            socket.close();
        }
    });
});

function family(families: PrometheusFamily[], name: string): PrometheusFamily {
    const found = families.find((f) => f.name === name);
    assert.ok(found, `${name} in the metrics`);
    return found;
}
