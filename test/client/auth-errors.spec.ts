import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { Bitrix24Client, type Bitrix24Error } from '../../dist/bitrix24';
import { fail, FakePortal } from '../helpers/fake-portal';

const ACCESS = 'auth-errors-access-0123456789';

function catalogErrors(language: 'en-US' | 'ru'): Record<string, unknown> {
    const file = path.join(__dirname, '../../nodes/locales', language, 'bitrix24-portal.json');
    const catalog = JSON.parse(readFileSync(file, 'utf8')) as {
        bitrix24: { errors: Record<string, unknown> };
    };
    return catalog.bitrix24.errors;
}

/** Auth failures as real portals send them (docs/bitrix24.md §7, §15), each with what to do. */
const CASES = [
    {
        code: 'ERROR_OAUTH',
        status: 401,
        hint: /application was removed.*install it again/,
        ru: /установите его снова/,
    },
    { code: 'PAYMENT_REQUIRED', status: 401, hint: /subscription.*renew it/, ru: /продлите/ },
    {
        code: 'PORTAL_DELETED',
        status: 410,
        hint: /portal was deleted: check the portal URL/,
        ru: /Портал удалён/,
    },
    {
        code: 'invalid_token',
        status: 401,
        hint: /re-authorise the application/,
        ru: /авторизуйте приложение заново/,
    },
] as const;

describe('client: auth errors as they come, each with a hint', () => {
    let portal: FakePortal;
    let client: Bitrix24Client;

    beforeEach(async () => {
        portal = await new FakePortal().start();
        portal.on('oauth/token', () => ({
            body: { access_token: ACCESS, refresh_token: 'auth-errors-refresh-2', expires_in: 3600 },
        }));
        client = new Bitrix24Client({
            portalUrl: portal.url,
            auth: {
                type: 'oauth',
                clientId: 'local.errors',
                clientSecret: 'auth-errors-secret',
                oauthServer: portal.url,
                tokens: { accessToken: ACCESS, refreshToken: 'auth-errors-refresh-1' },
            },
            rateLimit: { burst: 50, rps: 100 },
        });
    });

    afterEach(async () => {
        await client.close();
        await portal.stop();
    });

    for (const { code, status, hint, ru } of CASES) {
        it(`tells the user what to do about ${code} (HTTP ${status}) in English and Russian`, async () => {
            portal.on('crm.deal.get', () => fail(status, code, 'as the portal says it'));
            const error = await client.call('crm.deal.get', { id: 1 }).then(
                () => assert.fail('the call succeeded'),
                (err: Bitrix24Error) => err,
            );
            assert.equal(error.code, code);
            assert.match(error.message, hint);
            assert.doesNotMatch(error.message, new RegExp(ACCESS));
            assert.match(String(catalogErrors('en-US')[code]), hint);
            assert.match(String(catalogErrors('ru')[code]), ru);
        });
    }
});
