import assert from 'node:assert/strict';

import type { Bitrix24Client } from '../../dist/bitrix24';
import { defaultOAuthServer, type OAuthAuth, tokenServerOfDomain } from '../../dist/bitrix24';
import { fail, ok } from '../helpers/fake-portal';
import { oauthAuth, useFakePortals } from '../helpers/use-fake-portals';

const OLD_ACCESS = 'ts-access-old-333333';
const NEW_ACCESS = 'ts-access-new-444444';

/** Which token server gets the code exchange and the refreshes (docs/bitrix24.md §7). */
describe('client: token servers', () => {
    const { connect, portal, stranger } = useFakePortals('portal', 'stranger');

    beforeEach(() => {
        const grant = () => ({
            body: {
                access_token: NEW_ACCESS,
                refresh_token: 'ts-refresh-new',
                expires_in: 3600,
                member_id: 'm',
            },
        });
        portal().on('oauth/token', grant);
        stranger().on('oauth/token', grant);
        portal().on('crm.deal.get', (req) =>
            req.body.auth === NEW_ACCESS
                ? ok({ ID: '1' })
                : fail(401, 'expired_token', 'The access token provided has expired.'),
        );
    });

    function client(serverEndpoint: string): Bitrix24Client {
        return connect(
            portal(),
            oauthAuth(portal(), 'ts', {
                accessToken: OLD_ACCESS,
                refreshToken: 'ts-refresh-old',
                serverEndpoint,
            }),
        );
    }

    it('refreshes at the configured token server, not at a server_endpoint that is not a Bitrix24 one', async () => {
        await client(`${stranger().url}/rest/`).call('crm.deal.get', { id: 1 });
        assert.equal(stranger().requests.length, 0, 'the client secret went to a foreign server');
        assert.equal(portal().calls('oauth/token').length, 1);
    });

    it('refreshes at the server_endpoint the tokens name when it is a trusted one', async () => {
        await client(`${portal().url}/rest/`).call('crm.deal.get', { id: 1 });
        assert.equal(portal().calls('oauth/token').length, 1);
    });

    it("exchanges a code at the authorize redirect's server_domain and keeps that server with the tokens", async () => {
        const exchanging = client(`${stranger().url}/rest/`);
        const saved: (string | undefined)[] = [];
        exchanging.on('tokens', (tokens) => saved.push(tokens.serverEndpoint));
        await (exchanging.auth as OAuthAuth).exchangeCode('code-1', new URL(portal().url).host);
        assert.equal(portal().calls('oauth/token').length, 1);
        assert.equal(stranger().requests.length, 0);
        assert.deepEqual(saved, [`${portal().url}/rest/`]);
    });

    it("defaults to the token server of the portal's region: east for .ru, .by and .kz, else west", () => {
        assert.deepEqual(
            [
                'https://a.bitrix24.ru',
                'https://b.bitrix24.by',
                'https://c.bitrix24.kz',
                'https://d.bitrix24.com',
                'https://e.bitrix24.de',
                'https://crm.example.org',
            ].map((url) => defaultOAuthServer(url)),
            [
                'https://oauth.bitrix24.tech',
                'https://oauth.bitrix24.tech',
                'https://oauth.bitrix24.tech',
                'https://oauth.bitrix.info',
                'https://oauth.bitrix.info',
                'https://oauth.bitrix.info',
            ],
        );
    });

    it("takes the authorize redirect's server_domain only when it is Bitrix24's or the configured one", () => {
        const configured = 'http://127.0.0.1:4100';
        assert.equal(tokenServerOfDomain('oauth.bitrix24.tech', configured), 'https://oauth.bitrix24.tech');
        assert.equal(tokenServerOfDomain('oauth.bitrix.info', configured), 'https://oauth.bitrix.info');
        assert.equal(tokenServerOfDomain('127.0.0.1:4100', configured), configured);
        assert.equal(tokenServerOfDomain('oauth.evil.example', configured), undefined);
    });
});
