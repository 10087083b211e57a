import assert from 'node:assert/strict';

import type { Bitrix24Client } from '../../dist/bitrix24';
import { type Bitrix24Error } from '../../dist/bitrix24';
import { fail, ok, type FakeRequest } from '../helpers/fake-portal';
import { oauthAuth, useFakePortals, webhookAuth } from '../helpers/use-fake-portals';

const OLD_ACCESS = 'moved-access-old-111111';
const NEW_ACCESS = 'moved-access-new-222222';
const HOOK_SECRET = 'movedhooksecret55';

/**
 * A renamed portal: the old address answers 302 to the new one (docs/bitrix24.md §7, §15). The
 * client follows only once the token server confirms the portal (member_id) lives there.
 */
describe('client: a renamed portal', () => {
    const { connect, oldHost, newHost } = useFakePortals('oldHost', 'newHost');

    beforeEach(() => {
        oldHost().on('crm.deal.get', (req) => ({
            status: 302,
            body: '',
            headers: { Location: `${newHost().url}${req.path}` },
        }));
        newHost().on('crm.deal.get', (req) =>
            req.body.auth === NEW_ACCESS
                ? ok({ ID: '1' })
                : fail(401, 'invalid_token', 'Unable to get application by token'),
        );
    });

    /** The token server (on the old host's port) answers where the portal is and which it is. */
    function tokenServer(clientEndpoint: () => string, memberId = 'member-1') {
        oldHost().on('oauth/token', () => ({
            body: {
                access_token: NEW_ACCESS,
                refresh_token: 'moved-refresh-new',
                expires_in: 3600,
                member_id: memberId,
                client_endpoint: clientEndpoint(),
                server_endpoint: `${oldHost().url}/rest/`,
            },
        }));
    }

    function oauthClient(): Bitrix24Client {
        const tokens = { accessToken: OLD_ACCESS, refreshToken: 'moved-refresh-old', memberId: 'member-1' };
        return connect(oldHost(), oauthAuth(oldHost(), 'moved', tokens));
    }

    async function failure(promise: Promise<unknown>): Promise<Bitrix24Error> {
        return promise.then(
            () => assert.fail('the call succeeded'),
            (err: Bitrix24Error) => err,
        );
    }

    it('follows the redirect once the token server confirms the same portal there, and says so once', async () => {
        tokenServer(() => `${newHost().url}/rest/`);
        const client = oauthClient();
        const moves: string[] = [];
        client.on('portalMoved', (url) => moves.push(url));
        const { result } = await client.call<{ ID: string }>('crm.deal.get', { id: 1 });
        await client.call('crm.deal.get', { id: 1 });
        assert.equal(result.ID, '1');
        assert.deepEqual(moves, [newHost().url]);
        assert.equal(client.portal.origin, newHost().url);
        assert.equal(oldHost().calls('crm.deal.get').length, 1, 'the second call went to the new address');
        const confirmedAt = oldHost().calls('oauth/token')[0].at;
        assert.ok(
            newHost().requests.every((r: FakeRequest) => r.at >= confirmedAt && r.body.auth !== OLD_ACCESS),
            'no token went to the new host before the portal was confirmed',
        );
    });

    it('fails with PORTAL_MOVED, sending nothing to the new host, when the token server places the portal elsewhere', async () => {
        tokenServer(() => `${oldHost().url}/rest/`);
        const error = await failure(oauthClient().call('crm.deal.get', { id: 1 }));
        assert.equal(error.code, 'PORTAL_MOVED');
        assert.match(error.message, /enter the new address in the portal node/);
        assert.equal(newHost().requests.length, 0);
    });

    it('fails with PORTAL_MOVED, sending nothing to the new host, when the member_id differs', async () => {
        tokenServer(() => `${newHost().url}/rest/`, 'member-2');
        const error = await failure(oauthClient().call('crm.deal.get', { id: 1 }));
        assert.equal(error.code, 'PORTAL_MOVED');
        assert.equal(newHost().requests.length, 0);
    });

    it('fails with PORTAL_MOVED for a webhook, whose secret never goes to the new host', async () => {
        const client = connect(oldHost(), webhookAuth(oldHost(), HOOK_SECRET));
        const error = await failure(client.call('crm.deal.get', { id: 1 }));
        assert.equal(error.code, 'PORTAL_MOVED');
        assert.doesNotMatch(error.message, new RegExp(HOOK_SECRET));
        assert.equal(newHost().requests.length, 0);
    });
});
