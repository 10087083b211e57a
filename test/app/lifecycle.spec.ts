import assert from 'node:assert/strict';

import helper from 'node-red-node-test-helper';

import type { FarmPortal } from '../../dist/emulator';
import type { MultiPortalApp } from '../../dist/runtime/app/multi-portal-app';
import type { AppRing } from '../../dist/runtime/app/portal-app';
import { until } from '../helpers/emulator-flow';
import { sleep } from '../helpers/node-flow';
import { captureRed } from '../helpers/red';
import { formFields, installAll, loadApp, post, useAppBench } from './app-bench';

const DEAL_UPDATE = {
    event: 'ONCRMDEALUPDATE',
    eventType: 'offline',
    handler: '',
    connector: '',
    options: {},
} as const;

describe('an application on many portals: events, uninstall, update and blocks (emulator farm)', function () {
    this.timeout(60_000);
    const red = captureRed();
    const setup = useAppBench(red, 5);
    let app: MultiPortalApp;
    let msgs: Record<string, unknown>[];

    beforeEach(async () => {
        app = await loadApp(red, setup.bench);
        msgs = [];
        helper.getNode('out').on('input', (msg: Record<string, unknown>) => msgs.push(msg));
        await installAll(setup.bench);
    });

    const portals = () => setup.bench.farm.portals;
    const applicationToken = (portal: FarmPortal) =>
        formFields(setup.bench.forms.get(portal.memberId) ?? '')['auth[application_token]'];
    const requests = (portal: FarmPortal) => portal.control.counters().requests;
    const lifecycle = (topic: string, portal: FarmPortal) =>
        until(
            () =>
                msgs.some(
                    (msg) =>
                        msg.topic === topic &&
                        (msg.portal as { memberId: string }).memberId === portal.memberId,
                ),
            10_000,
            `${topic} for ${portal.domain}`,
        );
    const ring = (portal: FarmPortal, token: string) =>
        post(setup.bench.eventUrl, {
            event: 'ONOFFLINEEVENT',
            ts: String(Math.floor(Date.now() / 1000)),
            'auth[domain]': portal.domain,
            'auth[member_id]': portal.memberId,
            'auth[application_token]': token,
        });
    const call = async (portal: FarmPortal, method = 'profile') => {
        const connection = app.connection(portal.memberId);
        assert.ok(connection, `no connection for ${portal.domain}`);
        return (await connection.client()).call(method);
    };

    it('takes a ring for B with its own application token, with msg.portal of B', async () => {
        const rings: AppRing[] = [];
        app.on('ring', (one) => rings.push(one));
        const [, b] = portals();
        assert.equal(await ring(b, applicationToken(b)), 200);
        await until(() => rings.length === 1, 5000, 'the ring');
        assert.deepEqual(rings[0].portal, { memberId: b.memberId, domain: b.domain });
    });

    it("starts nothing on a ring for B carrying A's application token", async () => {
        const rings: AppRing[] = [];
        app.on('ring', (one) => rings.push(one));
        const [a, b] = portals();
        const before = portals().map(requests);
        assert.equal(await ring(b, applicationToken(a)), 200, 'answered at once all the same');
        await sleep(300);
        assert.deepEqual(rings, []);
        assert.deepEqual(portals().map(requests), before, 'no request to any portal');
    });

    it('stops every request to an uninstalled portal and leaves the others running', async () => {
        const [, b, ...others] = portals();
        await b.uninstall();
        await lifecycle('uninstalled', b);
        assert.equal(app.connection(b.memberId), undefined);
        const before = requests(b);
        const stop = app.keepBound('test', DEAL_UPDATE);
        const bound = (portal: FarmPortal) =>
            portal.control
                .bindings(setup.bench.farm.app.clientId)
                .some((one) => one.event === 'ONCRMDEALUPDATE');
        await until(() => others.every(bound), 10_000, 'the binding on the others');
        await Promise.all(others.map((portal) => call(portal)));
        assert.equal(requests(b), before, 'no request to the uninstalled portal');
        assert.deepEqual(
            app
                .installations()
                .map((one) => one.memberId)
                .sort(),
            [portals()[0], ...others].map((portal) => portal.memberId).sort(),
        );
        await stop();
    });

    it('says clean: true when the portal uninstalls with data[CLEAN]', async () => {
        const [a] = portals();
        await a.uninstall({ clean: true });
        await lifecycle('uninstalled', a);
        const msg = msgs.find((one) => one.topic === 'uninstalled');
        assert.deepEqual(msg?.payload, {
            status: 'uninstalled',
            reason: 'ONAPPUNINSTALL CLEAN',
            clean: true,
        });
    });

    it('binds again after an update and sends updated', async () => {
        const [a] = portals();
        const bound = () =>
            a.control
                .bindings(setup.bench.farm.app.clientId)
                .map((one) => one.event)
                .sort()
                .join();
        await until(() => bound() === 'ONAPPUNINSTALL,ONAPPUPDATE', 10_000, 'bound first');
        await a.update();
        assert.equal(bound(), '', 'an update removes the handlers');
        await lifecycle('updated', a);
        await until(() => bound() === 'ONAPPUNINSTALL,ONAPPUPDATE', 10_000, 'bound again');
        await call(a);
    });

    it('blocks a portal that answers PAYMENT_REQUIRED: its calls fail at once, the others work', async () => {
        const [a, b, c] = portals();
        b.block('PAYMENT_REQUIRED');
        await assert.rejects(call(b), { code: 'PAYMENT_REQUIRED' });
        await lifecycle('blocked', b);
        const msg = msgs.find((one) => one.topic === 'blocked');
        assert.deepEqual(msg?.payload, { status: 'blocked', reason: 'PAYMENT_REQUIRED' });
        const before = requests(b);
        const started = Date.now();
        await assert.rejects(call(b), { code: 'PAYMENT_REQUIRED' });
        assert.ok(Date.now() - started < 100, 'at once');
        assert.equal(requests(b), before, 'without a request');
        await Promise.all([call(a), call(c)]);
        assert.equal(app.installations().find((one) => one.memberId === b.memberId)?.status, 'blocked');
    });

    it('blocks at installation a portal whose installing user is no longer an administrator', async () => {
        const [a] = portals();
        a.setAdmin(false);
        await a.install(setup.bench.relayUrl);
        await lifecycle('blocked', a);
        assert.deepEqual(
            msgs.filter((one) => one.topic === 'blocked').map((one) => one.payload),
            [{ status: 'blocked', reason: 'NOT_ADMIN' }],
        );
    });

    it('refreshes an expired token on that portal alone', async () => {
        const [a, b, c] = portals();
        b.control.expireAccessTokens();
        await Promise.all(portals().map((portal) => call(portal)));
        const refreshes = async (portal: FarmPortal) =>
            (await app.connection(portal.memberId)!.client()).stats.refreshes;
        assert.deepEqual(await Promise.all([a, b, c].map(refreshes)), [0, 1, 0]);
    });
});
