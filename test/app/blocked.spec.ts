import assert from 'node:assert/strict';
import http from 'node:http';

import { MemoryDocumentStore, parseForm } from '../../dist/bitrix24/internal';
import { listenLocally, type LocalServer } from '../../dist/demo/local-server';
import { startEmulatorFarm, type EmulatorFarm, type FarmPortal } from '../../dist/emulator';
import { MultiPortalApp } from '../../dist/runtime/app/multi-portal-app';
import type { LifecycleEvent } from '../../dist/runtime/app/portal-app';
import { until } from '../helpers/emulator-flow';
import { sleep } from '../helpers/node-flow';

const RECHECK_MS = 300;

/**
 * Blocking without Node-RED: MultiPortalApp on a farm, with rechecks every 300 ms instead of
 * 15 minutes, so that a portal can be seen to come back.
 */
describe('an application on many portals: a blocked portal is tried again rarely and comes back (emulator farm)', function () {
    this.timeout(30_000);
    let farm: EmulatorFarm;
    let app: MultiPortalApp;
    let capture: LocalServer;
    let events: LifecycleEvent[];
    let lastForm = '';

    beforeEach(async () => {
        farm = await startEmulatorFarm({ portals: 3 });
        capture = await listenLocally(
            http.createServer((req, res) => {
                const chunks: Buffer[] = [];
                req.on('data', (chunk: Buffer) => chunks.push(chunk));
                req.on('end', () => {
                    lastForm = Buffer.concat(chunks).toString('utf8');
                    res.writeHead(200).end();
                });
            }),
        );
        app = new MultiPortalApp(
            {
                id: 'app',
                authConnector: '',
                rateLimit: 'standard',
                burst: 50,
                rps: 2,
                oauthServer: farm.oauthServer,
                clientId: farm.app.clientId,
                clientSecret: farm.app.clientSecret,
                publicUrl: capture.url,
                maxPortals: 10,
                concurrency: 8,
                eventUrl: `${capture.url}/event`,
                recheckMs: RECHECK_MS,
            },
            { store: new MemoryDocumentStore(), log: () => undefined },
        );
        events = [];
        app.on('lifecycle', (event) => events.push(event));
        for (const portal of farm.portals) {
            await portal.install(`${capture.url}/install`);
            await app.install(parseForm(lastForm, { strict: true }));
        }
    });

    afterEach(async () => {
        await app.close();
        await capture.close();
        await farm.stop();
    });

    const call = async (portal: FarmPortal, method = 'profile', params: Record<string, unknown> = {}) =>
        (await app.connection(portal.memberId)!.client()).call(method, params);
    const topics = (portal: FarmPortal) =>
        events.filter((event) => event.portal.memberId === portal.memberId).map((event) => event.topic);

    it('tries a blocked portal again with one cheap call per interval and unblocks it once it answers', async () => {
        const [, b] = farm.portals;
        b.block('PAYMENT_REQUIRED');
        await assert.rejects(call(b), { code: 'PAYMENT_REQUIRED' });
        const before = b.control.counters().requests;
        await sleep(RECHECK_MS * 3 + 100);
        const tries = b.control.counters().requests - before;
        assert.ok(tries >= 2 && tries <= 4, `${tries} requests in 3 intervals`);
        b.block(undefined);
        await until(() => topics(b).includes('unblocked'), 5000, 'unblocked');
        await call(b);
        assert.deepEqual(topics(b), ['installed', 'blocked', 'unblocked']);
        assert.equal(app.installations().find((one) => one.memberId === b.memberId)?.status, 'active');
    });

    it('blocks a portal whose installing user lost the administrator role when an offline call says so', async () => {
        const [a, b] = farm.portals;
        b.setAdmin(false);
        await assert.rejects(call(b, 'event.offline.list'), { code: 'ACCESS_DENIED' });
        await until(() => topics(b).includes('blocked'), 5000, 'blocked');
        assert.equal(events.at(-1)?.reason, 'NOT_ADMIN');
        await call(a, 'event.offline.list');
        b.setAdmin(true);
        await until(() => topics(b).includes('unblocked'), 5000, 'unblocked');
    });

    it('keeps a portal blocked on WRONG_LICENSE until feature.get says its plan has the feature', async () => {
        const [, b] = farm.portals;
        b.control.setFeatures({ rest_offline_extended: false });
        await assert.rejects(call(b, 'event.offline.get', { clear: 0 }), { code: 'WRONG_LICENSE' });
        await until(() => topics(b).includes('blocked'), 5000, 'blocked');
        const asked = () => b.control.counters().requestsByMethod['feature.get'] ?? 0;
        await until(() => asked() >= 2, 5000, 'feature.get asked on rechecks');
        assert.ok(!topics(b).includes('unblocked'), 'still blocked while the feature is off');
        b.control.setFeatures({ rest_offline_extended: true });
        await until(() => topics(b).includes('unblocked'), 5000, 'unblocked');
    });

    it('keeps a portal whose call fails for another reason (a missing method) active', async () => {
        const [a] = farm.portals;
        await assert.rejects(call(a, 'no.such.method'));
        await sleep(100);
        assert.deepEqual(topics(a), ['installed']);
    });
});
