import assert from 'node:assert/strict';

import type { ClientAuthOptions } from '../../dist/bitrix24';
import type { SharedStore } from '../../dist/bitrix24/storage/redis';
import { fail, ok, type FakePortal } from '../helpers/fake-portal';
import { oauthAuth, useFakePortals } from '../helpers/use-fake-portals';
import { until, useRedis } from '../store/use-store';

/**
 * The three-instance flake (issue 14): one instance refreshed the pair, Redis restarted empty,
 * and the instance that drained next still held the spent refresh token.
 */
describe('store: the token pair after Redis restarted empty', function () {
    this.timeout(30_000);
    const { open, server } = useRedis();
    const { connect, portal } = useFakePortals('portal');
    let chain = { refresh: 'r-0', access: 'a-0' };

    /** The token server rotates the pair on every refresh and refuses a spent refresh token. */
    function rotateTokens(fake: FakePortal): void {
        chain = { refresh: 'r-0', access: 'a-0' };
        let n = 0;
        fake.on('oauth/token', (req) => {
            if (req.body.refresh_token !== chain.refresh) return fail(400, 'invalid_grant', 'spent');
            n += 1;
            chain = { refresh: `r-${n}`, access: `a-${n}` };
            return { body: { access_token: chain.access, refresh_token: chain.refresh, expires_in: 3600 } };
        });
        fake.on('profile', (req) =>
            req.body.auth === chain.access ? ok({ ID: '1' }) : fail(401, 'expired_token', 'expired'),
        );
    }

    /** An instance deployed with the first pair (its access token expired), as every instance is. */
    function instance(store: SharedStore) {
        const tokens = { accessToken: 'a-expired', refreshToken: 'r-0' };
        const auth = oauthAuth(portal(), 'app', tokens) as Extract<ClientAuthOptions, { type: 'oauth' }>;
        return connect(portal(), { ...auth, shared: store.tokens('member-1') });
    }

    it('lets an instance holding a spent refresh token go on with the pair another instance refreshed', async () => {
        rotateTokens(portal());
        const [a, b] = await Promise.all([open('a'), open('b')]);
        const [first, second] = [instance(a), instance(b)];
        // a refreshes: r-1 is the live pair, r-0 is spent, and only a has used the new pair.
        await first.call('profile');
        await server().kill();
        await server().restart();
        await until(() => a.available && b.available, 10_000);
        const answer = await second.call('profile');
        assert.deepEqual(answer.result, { ID: '1' });
    });
});
