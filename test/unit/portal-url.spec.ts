import assert from 'node:assert/strict';

import { Bitrix24Error, parsePortalUrl, parseWebhookUrl } from '../../dist/bitrix24';

describe('portal and webhook URLs', () => {
    it('keeps only the origin of a portal URL', () => {
        assert.equal(
            parsePortalUrl('https://example.bitrix24.com/crm/deal/').href,
            'https://example.bitrix24.com/',
        );
    });

    for (const bad of ['', 'example.bitrix24.com', 'ftp://example.bitrix24.com', 'https://', 42, undefined]) {
        it(`refuses ${JSON.stringify(bad)} as a portal URL with a message that says what to enter`, () => {
            assert.throws(
                () => parsePortalUrl(bad),
                (err: unknown) =>
                    err instanceof Bitrix24Error &&
                    err.code === 'INVALID_CONFIG' &&
                    /http\(s\) URL/.test(err.message),
            );
        });
    }

    it('splits a webhook URL into base, user and secret', () => {
        const hook = parseWebhookUrl('https://example.bitrix24.com/rest/7/a1b2c3d4e5/');
        assert.deepEqual(hook, {
            base: 'https://example.bitrix24.com/rest/7/a1b2c3d4e5/',
            origin: 'https://example.bitrix24.com',
            userId: 7,
            secret: 'a1b2c3d4e5',
        });
    });

    it('accepts a webhook URL copied with a method at its end', () => {
        assert.equal(
            parseWebhookUrl('https://x.bitrix24.com/rest/1/abc/profile.json').base,
            'https://x.bitrix24.com/rest/1/abc/',
        );
    });

    it('refuses a webhook URL without /rest/<user>/<secret>/ and never repeats the URL', () => {
        const input = 'https://example.bitrix24.com/rest/sup3rs3cret/';
        assert.throws(
            () => parseWebhookUrl(input),
            (err: unknown) =>
                err instanceof Bitrix24Error &&
                /rest\/<user id>\/<secret>/.test(err.message) &&
                !err.message.includes('sup3rs3cret'),
        );
    });
});
