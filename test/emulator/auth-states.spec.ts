/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   reply bodies are arbitrary JSON (typed `any` in helpers.ts) that these tests check field by field */
import assert from 'node:assert/strict';

import {
    assertRestError,
    bindOffline,
    hook,
    postJson,
    refreshAppTokens,
    rest,
    withEmulator,
} from './helpers';

describe('emulator: an application or portal that can no longer work (docs/bitrix24.md §15.7)', () => {
    it('answers the tokens of an uninstalled application with 401 ERROR_OAUTH', async () => {
        await withEmulator({}, async (emulator) => {
            emulator.control.uninstallApp(emulator.app.clientId);
            const reply = await rest(emulator, 'user.admin');
            assertRestError(reply, 401, 'ERROR_OAUTH', 'Application not installed');
        });
    });

    it('answers REST calls of an application whose subscription ran out with 401 PAYMENT_REQUIRED', async () => {
        await withEmulator({}, async (emulator) => {
            await postJson(`${emulator.portalUrl}/_emulator/`, 'apps/state', {
                clientId: emulator.app.clientId,
                paymentExpired: true,
            });
            const reply = await rest(emulator, 'user.admin');
            assertRestError(reply, 401, 'PAYMENT_REQUIRED', 'Payment required');
        });
    });

    it('refuses to refresh the tokens of an application whose subscription ran out with PAYMENT_REQUIRED', async () => {
        await withEmulator({}, async (emulator) => {
            emulator.control.setAppState(emulator.app.clientId, { paymentExpired: true });
            const reply = await refreshAppTokens(emulator);
            assert.equal(reply.status, 401);
            assert.equal(reply.body.error, 'PAYMENT_REQUIRED');
        });
    });

    it('queues no rows for an application whose subscription ran out', async () => {
        await withEmulator({}, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALADD');
            emulator.control.setAppState(emulator.app.clientId, { paymentExpired: true });
            emulator.control.userChange({ entity: 'deal', action: 'add' });
            assert.equal(emulator.control.queueRows().length, 0);
        });
    });

    it('answers every REST request of a deleted portal with 410 PORTAL_DELETED, webhooks included', async () => {
        await withEmulator({}, async (emulator) => {
            await postJson(`${emulator.portalUrl}/_emulator/`, 'portal/delete', {});
            const viaApp = await rest(emulator, 'user.admin');
            const viaHook = await hook(emulator, 'user.admin');
            const expected = { error: 'PORTAL_DELETED', error_description: 'Portal was deleted' };
            assert.deepEqual([viaApp.status, viaApp.body], [410, expected]);
            assert.deepEqual([viaHook.status, viaHook.body], [410, expected]);
        });
    });

    it('serves a deleted portal again once the control API brings it back', async () => {
        await withEmulator({}, async (emulator) => {
            emulator.control.deletePortal();
            emulator.control.deletePortal(false);
            assert.equal((await rest(emulator, 'user.admin')).status, 200);
        });
    });

    it('answers an access token the portal no longer knows with 401 invalid_token "Unable to get application by token"', async () => {
        await withEmulator({}, async (emulator) => {
            const revoked = await postJson(`${emulator.portalUrl}/_emulator/`, 'faults/revoke-tokens', {});
            assert.ok(revoked.body.revoked >= 1);
            const reply = await rest(emulator, 'user.admin');
            assertRestError(reply, 401, 'invalid_token', 'Unable to get application by token');
        });
    });

    it('still refreshes after the portal forgot the access tokens, and the new token works', async () => {
        await withEmulator({}, async (emulator) => {
            emulator.control.revokeAccessTokens();
            const refreshed = await refreshAppTokens(emulator);
            assert.equal(refreshed.status, 200);
            assert.equal(
                (await rest(emulator, 'user.admin', {}, String(refreshed.body.access_token))).body.result,
                true,
            );
        });
    });
});
