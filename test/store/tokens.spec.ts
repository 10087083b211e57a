import assert from 'node:assert/strict';

import type { Bitrix24Error, ClientAuthOptions, StoredTokens } from '../../dist/bitrix24';
import type { SharedStore } from '../../dist/bitrix24/storage/redis';
import { fail, ok, type FakePortal } from '../helpers/fake-portal';
import { oauthAuth, useFakePortals } from '../helpers/use-fake-portals';
import { sleep, useRedis } from './use-store';

function pair(refreshToken: string, accessToken = `access-of-${refreshToken}`): StoredTokens {
    return { accessToken, refreshToken, basis: '', savedAt: Date.now() };
}

describe('store: the shared token pair', () => {
    const { open } = useRedis();

    it('stores a pair with compare-and-set only while the stored refresh token is the one spent', async () => {
        const tokens = (await open('a')).tokens('member-1');
        assert.equal(await tokens.compareAndSet(undefined, pair('r1')), true, 'nothing stored yet');
        assert.equal(await tokens.compareAndSet('r1', pair('r2')), true);
        assert.equal(await tokens.compareAndSet('r1', pair('r3')), false, 'r1 was spent already');
        assert.equal((await tokens.read())?.refreshToken, 'r2');
    });

    it('refuses compare-and-set against nothing when a pair is stored', async () => {
        const tokens = (await open('a')).tokens('member-1');
        await tokens.write(pair('r1'));
        assert.equal(await tokens.compareAndSet(undefined, pair('r9')), false);
        assert.equal((await tokens.read())?.refreshToken, 'r1');
    });

    it('gives the refresh lock to one instance at a time until it expires', async () => {
        const [a, b] = await Promise.all([open('a'), open('b')]);
        assert.ok(await a.tokens('m').lockForRefresh(300));
        assert.equal(await b.tokens('m').lockForRefresh(300), undefined);
        await sleep(400);
        assert.ok(await b.tokens('m').lockForRefresh(300), 'the expired lock was not free');
    });

    it('keeps the refresh lock of a holder that extends it', async () => {
        const [a, b] = await Promise.all([open('a'), open('b')]);
        const lock = await a.tokens('m').lockForRefresh(300);
        await sleep(200);
        assert.equal(await a.tokens('m').extendLock(lock!, 300), true);
        await sleep(200);
        assert.equal(await b.tokens('m').lockForRefresh(300), undefined);
    });

    it('does not let a holder whose lock expired release the lock another instance took since', async () => {
        const [a, b] = await Promise.all([open('a'), open('b')]);
        const stale = await a.tokens('m').lockForRefresh(100);
        await sleep(200);
        assert.ok(await b.tokens('m').lockForRefresh(5000));
        await a.tokens('m').unlock(stale!);
        assert.equal(await a.tokens('m').lockForRefresh(5000), undefined, "b's lock was released by a");
    });

    it('refuses to keep tokens without the secret the instances share', async () => {
        const store = await open('a', { secret: undefined });
        assert.throws(() => store.tokens('m'), { code: 'INVALID_CONFIG' });
    });
});

describe('store: refreshing one token chain from several instances', () => {
    const { open, server } = useRedis();
    const { connect, portal } = useFakePortals('portal');
    let chain: { refresh: string; access: string };

    /** The token server rotates the pair on every refresh and refuses a spent refresh token. */
    function rotateTokens(fake: FakePortal): void {
        chain = { refresh: 'r-0', access: 'a-0' };
        let n = 0;
        fake.on('oauth/token', async (req) => {
            if (req.body.refresh_token !== chain.refresh) return fail(400, 'invalid_grant', 'spent');
            await sleep(50);
            n += 1;
            chain = { refresh: `r-${n}`, access: `a-${n}` };
            return { body: { access_token: chain.access, refresh_token: chain.refresh, expires_in: 3600 } };
        });
        fake.on('profile', (req) =>
            req.body.auth === chain.access ? ok({ ID: '1' }) : fail(401, 'expired_token', 'expired'),
        );
    }

    function instance(store: SharedStore, tokens = { accessToken: 'a-stale', refreshToken: 'r-0' }) {
        const auth = oauthAuth(portal(), 'app', tokens) as Extract<ClientAuthOptions, { type: 'oauth' }>;
        return connect(portal(), { ...auth, shared: store.tokens('member-1') });
    }

    it('refreshes once when three instances meet an expired token at the same moment', async () => {
        rotateTokens(portal());
        const stores = await Promise.all(['a', 'b', 'c'].map((name) => open(name)));
        await stores[0].tokens('member-1').write(pair('r-0', 'a-stale'));
        const clients = stores.map((store) => instance(store));
        await Promise.all(clients.map((client) => client.call('profile')));
        assert.equal(portal().calls('oauth/token').length, 1);
        assert.equal((await stores[2].tokens('member-1').read())?.refreshToken, 'r-1');
    });

    it('uses the pair another instance stored instead of spending a refresh token again', async () => {
        rotateTokens(portal());
        const [a, b] = await Promise.all([open('a'), open('b')]);
        await a.tokens('member-1').write(pair('r-0', 'a-stale'));
        await instance(a).call('profile');
        await instance(b).call('profile');
        assert.equal(portal().calls('oauth/token').length, 1, 'b refreshed a spent token');
    });

    it('re-reads the store on invalid_grant and goes on with the pair stored there', async () => {
        const store = await open('a');
        const shared = store.tokens('member-1');
        await shared.write(pair('r-0', 'a-stale'));
        // Another instance, whose lock ran out under a slow refresh, spent r-0 and stored r-1 meanwhile.
        portal().on('oauth/token', async () => {
            await shared.write(pair('r-1', 'a-1'));
            return fail(400, 'invalid_grant', 'spent');
        });
        portal().on('profile', (req) =>
            req.body.auth === 'a-1' ? ok({ ID: '1' }) : fail(401, 'expired_token', 'expired'),
        );
        const answer = await instance(store).call('profile');
        assert.deepEqual(answer.result, { ID: '1' });
    });

    it('waits a moment for the pair of the instance that spent the token first', async () => {
        const store = await open('a');
        const shared = store.tokens('member-1');
        await shared.write(pair('r-0', 'a-stale'));
        portal().on('oauth/token', () => {
            // The other instance's answer arrives later than ours: its pair is stored 1 s after.
            setTimeout(() => void shared.write(pair('r-1', 'a-1')), 1000);
            return fail(400, 'invalid_grant', 'spent');
        });
        portal().on('profile', (req) =>
            req.body.auth === 'a-1' ? ok({ ID: '1' }) : fail(401, 'expired_token', 'expired'),
        );
        const answer = await instance(store).call('profile');
        assert.deepEqual(answer.result, { ID: '1' });
    });

    it('gives up with invalid_grant when no other instance stored a newer pair', async function () {
        this.timeout(15_000);
        const store = await open('a');
        await store.tokens('member-1').write(pair('r-0', 'a-stale'));
        portal().on('oauth/token', () => fail(400, 'invalid_grant', 'spent'));
        portal().on('profile', () => fail(401, 'expired_token', 'expired'));
        const error = (await instance(store)
            .call('profile')
            .catch((err: unknown) => err)) as Bitrix24Error;
        assert.equal(error.code, 'invalid_grant');
        assert.equal(portal().calls('oauth/token').length, 1);
    });

    it('does not refresh while the store is unreachable, and says so', async () => {
        rotateTokens(portal());
        const store = await open('a', { commandTimeoutMs: 300 });
        await server().kill();
        const error = (await instance(store)
            .call('profile')
            .catch((err: unknown) => err)) as Bitrix24Error;
        assert.equal(error.code, 'STORE_UNREACHABLE');
        assert.equal(portal().calls('oauth/token').length, 0, 'a refresh without the store forks the chain');
    });
});
