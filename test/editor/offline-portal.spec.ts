import assert from 'node:assert/strict';

import { assertBuilt, catalog, definition, editorConfigNodes, translate, validate } from './editor-files';
import type { NodeType } from './editor-files';

const OAUTH_PORTAL = 'portal-oauth';
const WEBHOOK_PORTAL = 'portal-webhook';
const OFFLINE_TYPES: NodeType[] = [
    'bitrix24-offline-get',
    'bitrix24-offline-clear',
    'bitrix24-offline-error',
    'bitrix24-offline-list',
];

/** The message the editor shows for a node whose portal is a webhook portal. */
async function webhookMessage(): Promise<string> {
    const key = 'bitrix24-portal.validation.offlineWebhook';
    const text = translate(await catalog('en-US', 'bitrix24-portal'), key);
    assert.notEqual(text, key, `${key} is not in the en-US catalog`);
    return text;
}

/**
 * Offline events need an OAuth application (a webhook gets WRONG_AUTH_TYPE): the editor marks a
 * node that would use them through a webhook portal as invalid, with the reason, before a deploy.
 */
describe('editor: offline events through a webhook portal', () => {
    before(async () => {
        await assertBuilt();
    });

    beforeEach(() => {
        editorConfigNodes.set(OAUTH_PORTAL, { id: OAUTH_PORTAL, type: 'bitrix24-portal', authType: 'oauth' });
        editorConfigNodes.set(WEBHOOK_PORTAL, {
            id: WEBHOOK_PORTAL,
            type: 'bitrix24-portal',
            authType: 'webhook',
        });
    });

    afterEach(() => {
        editorConfigNodes.clear();
    });

    for (const type of OFFLINE_TYPES) {
        it(`marks ${type} invalid, saying why, when its portal uses a webhook`, async () => {
            assert.equal(validate(await definition(type), 'portal', WEBHOOK_PORTAL), await webhookMessage());
        });

        it(`accepts ${type} with an OAuth portal`, async () => {
            assert.equal(validate(await definition(type), 'portal', OAUTH_PORTAL), true);
        });
    }

    it('marks an offline bind invalid when its portal uses a webhook', async () => {
        const bind = await definition('bitrix24-bind');
        assert.equal(
            validate(bind, 'portal', WEBHOOK_PORTAL, { action: 'bind', eventType: 'offline' }),
            await webhookMessage(),
        );
    });

    it('marks an offline unbind invalid when its portal uses a webhook', async () => {
        const bind = await definition('bitrix24-bind');
        assert.equal(
            validate(bind, 'portal', WEBHOOK_PORTAL, { action: 'unbind', eventType: 'offline' }),
            await webhookMessage(),
        );
    });

    it('accepts an online bind through a webhook portal', async () => {
        const bind = await definition('bitrix24-bind');
        assert.equal(validate(bind, 'portal', WEBHOOK_PORTAL, { action: 'bind', eventType: 'online' }), true);
    });

    it('accepts a bind that lists handlers through a webhook portal', async () => {
        const bind = await definition('bitrix24-bind');
        assert.equal(
            validate(bind, 'portal', WEBHOOK_PORTAL, { action: 'list', eventType: 'offline' }),
            true,
        );
    });

    it('still refuses a portal id that names no portal node, as the editor itself does', async () => {
        const get = await definition('bitrix24-offline-get');
        assert.equal(validate(get, 'portal', 'no-such-portal'), 'validator.errors.missing-config');
    });

    it('still refuses a portal node that is itself invalid, as the editor itself does', async () => {
        editorConfigNodes.set('portal-broken', { id: 'portal-broken', authType: 'oauth', valid: false });
        const get = await definition('bitrix24-offline-get');
        assert.equal(validate(get, 'portal', 'portal-broken'), 'validator.errors.invalid-config');
    });

    it('returns false instead of a message when the editor gives no options object', async () => {
        const get = await definition('bitrix24-offline-get');
        const validator = get.defaults.portal?.validate;
        assert.ok(validator, 'the portal property has a validator');
        assert.equal(validator.call({ _: get._ }, WEBHOOK_PORTAL), false);
    });
});
