import assert from 'node:assert/strict';
import path from 'node:path';

import helper from 'node-red-node-test-helper';
import sinon from 'sinon';

import { FileTokenStore } from '../../dist/bitrix24';
import type { Emulator } from '../../dist/emulator';
import portalModule from '../../dist/nodes/bitrix24-portal';
import { startBench, type Bench } from '../helpers/emulator-flow';
import { portalState } from './helpers';

/** How long the runtime keeps an issued state (src/nodes/portal-routes.ts). */
const STATE_LIFETIME_MS = 10 * 60 * 1000;

describe('security: the OAuth callback takes only a state the runtime issued, once, in time', function () {
    this.timeout(20_000);
    let bench: Bench;
    let emulator: Emulator;
    let clock: sinon.SinonFakeTimers | undefined;

    beforeEach(async () => {
        bench = await startBench({}, []);
        emulator = bench.emulator;
        const portal = bench.portal();
        // Not connected yet: only the application's id and secret are deployed.
        await helper.load([portalModule], [portal.node], {
            portal: { clientId: emulator.app.clientId, clientSecret: emulator.app.clientSecret },
        });
    });

    afterEach(async () => {
        clock?.restore();
        clock = undefined;
        await helper.unload();
        await bench.stop();
    });

    const tokenFile = () => new FileTokenStore(path.join(bench.userDir, 'bitrix24', 'tokens-portal.json'));

    /** Presses Connect: the state the runtime issued and the portal's authorisation page. */
    async function connect(): Promise<{ state: string; authorizeUrl: URL }> {
        const res = await helper.request().post('/bitrix24/portal/portal/authorize').expect(200);
        const authorizeUrl = new URL((res.body as { url: string }).url);
        return { state: authorizeUrl.searchParams.get('state') ?? '', authorizeUrl };
    }

    /** The administrator allows access: the portal redirects the browser with a fresh code. */
    async function allow(authorizeUrl: URL): Promise<string> {
        authorizeUrl.searchParams.set('redirect_uri', 'https://nodered.example.com/callback');
        const res = await fetch(authorizeUrl, { redirect: 'manual' });
        assert.equal(res.status, 302);
        return new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
    }

    const callback = (query: Record<string, string | string[]>) =>
        helper.request().get('/bitrix24/portal/oauth/callback').query(query);

    it('stores the tokens of a code that comes back with the state it issued (the control)', async () => {
        const { state, authorizeUrl } = await connect();
        const code = await allow(authorizeUrl);
        await callback({ code, state }).expect(200);
        assert.equal(emulator.control.counters().codeExchanges, 1);
        assert.ok((await tokenFile().load())?.refreshToken);
    });

    it('refuses a state it did not issue, exchanging no code and storing nothing', async () => {
        const { authorizeUrl } = await connect();
        const code = await allow(authorizeUrl);
        const before = portalState(emulator);
        const res = await callback({ code, state: 'f'.repeat(48) }).expect(403);
        assert.match(res.text, /connect\.refused|not valid/);
        assert.deepEqual(portalState(emulator), before);
        assert.equal(await tokenFile().load(), undefined);
    });

    it('refuses a state that comes as a list, and a callback without a state', async () => {
        const { state, authorizeUrl } = await connect();
        const code = await allow(authorizeUrl);
        const before = portalState(emulator);
        await callback({ code, state: [state, state] }).expect(403);
        await callback({ code }).expect(403);
        assert.deepEqual(portalState(emulator), before);
        assert.equal(await tokenFile().load(), undefined);
    });

    it('refuses a state the second time, even with a new code', async () => {
        const { state, authorizeUrl } = await connect();
        await callback({ code: await allow(authorizeUrl), state }).expect(200);
        const stored = await tokenFile().load();
        const replay = await allow(authorizeUrl);
        const before = portalState(emulator);
        await callback({ code: replay, state }).expect(403);
        assert.deepEqual(portalState(emulator), before, 'the replayed code was not exchanged');
        assert.deepEqual(await tokenFile().load(), stored);
    });

    it('still takes a state nine minutes after it was issued', async () => {
        const { state, authorizeUrl } = await connect();
        clock = sinon.useFakeTimers({ now: Date.now() + STATE_LIFETIME_MS - 60_000, toFake: ['Date'] });
        await callback({ code: await allow(authorizeUrl), state }).expect(200);
        assert.equal(emulator.control.counters().codeExchanges, 1);
    });

    it('refuses a state after its ten minutes, exchanging no code', async () => {
        const { state, authorizeUrl } = await connect();
        const code = await allow(authorizeUrl);
        const before = portalState(emulator);
        // Only Date moves: the runtime reads the state's age from Date.now().
        clock = sinon.useFakeTimers({ now: Date.now() + STATE_LIFETIME_MS + 1000, toFake: ['Date'] });
        await callback({ code, state }).expect(403);
        clock.restore();
        clock = undefined;
        assert.deepEqual(portalState(emulator), before);
        assert.equal(await tokenFile().load(), undefined);
    });

    it('refuses a state whose portal node was removed since it was issued', async () => {
        const { state, authorizeUrl } = await connect();
        const code = await allow(authorizeUrl);
        await helper.setFlows([{ id: 'tab', type: 'tab' }], 'full');
        const before = portalState(emulator);
        await callback({ code, state }).expect(403);
        assert.deepEqual(portalState(emulator), before);
    });
});
