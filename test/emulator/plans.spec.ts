/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   reply bodies are arbitrary JSON (typed `any` in helpers.ts) that these tests check field by field */
import assert from 'node:assert/strict';

import { startEmulator } from '../../dist/emulator';
import { bindOffline, hook, postJson, rest, withEmulator } from './helpers';

const CONNECTOR_LICENSE = {
    error: 'WRONG_LICENSE',
    error_description: 'This feature is not enabled for the current license: auth_connector',
};
const RESERVATION_LICENSE = {
    error: 'WRONG_LICENSE',
    error_description:
        'This feature is not enabled for the current license: extended offline events handling',
};

describe('emulator: plans and their features (docs/bitrix24.md §0, §1, §11)', () => {
    it('defaults to the Professional plan, which has both REST features', async () => {
        await withEmulator({}, async (emulator) => {
            const state = emulator.control.state();
            assert.equal(state.plan, 'professional');
            assert.deepEqual(state.features, { rest_offline_extended: true, rest_auth_connector: true });
            const reserved = await rest(emulator, 'event.offline.get', { clear: 0, auth_connector: 'erp' });
            assert.equal(reserved.status, 200);
        });
    });

    it('refuses reservations on the Standard plan with 403 WRONG_LICENSE', async () => {
        await withEmulator({ plan: 'standard' }, async (emulator) => {
            const reply = await rest(emulator, 'event.offline.get', { clear: 0 });
            assert.equal(reply.status, 403);
            assert.deepEqual(reply.body, RESERVATION_LICENSE);
        });
    });

    it('refuses any call with auth_connector on the Standard plan with 403 WRONG_LICENSE', async () => {
        await withEmulator({ plan: 'standard' }, async (emulator) => {
            const reply = await rest(emulator, 'user.admin', { auth_connector: 'erp' });
            assert.equal(reply.status, 403);
            assert.deepEqual(reply.body, CONNECTOR_LICENSE);
        });
    });

    it('gives the Basic plan neither feature', async () => {
        await withEmulator({ plan: 'basic' }, async (emulator) => {
            const extended = await rest(emulator, 'feature.get', { CODE: 'rest_offline_extended' });
            const connector = await rest(emulator, 'feature.get', { CODE: 'rest_auth_connector' });
            assert.deepEqual([extended.body.result, connector.body.result], [{ value: 'N' }, { value: 'N' }]);
        });
    });

    it('gives the Enterprise plan both features', async () => {
        await withEmulator({ plan: 'enterprise' }, async (emulator) => {
            const extended = await rest(emulator, 'feature.get', { CODE: 'rest_offline_extended' });
            const connector = await rest(emulator, 'feature.get', { CODE: 'rest_auth_connector' });
            assert.deepEqual([extended.body.result, connector.body.result], [{ value: 'Y' }, { value: 'Y' }]);
        });
    });

    it('lets a feature switch override the plan: Standard with reservations still has no connectors', async () => {
        await withEmulator(
            { plan: 'standard', features: { rest_offline_extended: true } },
            async (emulator) => {
                assert.equal((await rest(emulator, 'event.offline.get', { clear: 0 })).status, 200);
                assert.deepEqual(
                    (await rest(emulator, 'user.admin', { auth_connector: 'erp' })).body,
                    CONNECTOR_LICENSE,
                );
            },
        );
    });

    it('answers feature.get with {value: "N"} for a feature the plan lacks', async () => {
        await withEmulator({ plan: 'standard' }, async (emulator) => {
            const reply = await rest(emulator, 'feature.get', { CODE: 'rest_auth_connector' });
            assert.equal(reply.status, 200);
            assert.deepEqual(reply.body.result, { value: 'N' });
        });
    });

    it('answers feature.get for an unknown code with "Y", as the docs warn it may', async () => {
        await withEmulator({ plan: 'basic' }, async (emulator) => {
            const reply = await rest(emulator, 'feature.get', { CODE: 'no_such_feature' });
            assert.deepEqual(reply.body.result, { value: 'Y' });
        });
    });

    it('answers feature.get without CODE with 400 CODE_EMPTY', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await rest(emulator, 'feature.get', {});
            assert.equal(reply.status, 400);
            assert.deepEqual(reply.body, { error: 'CODE_EMPTY', error_description: "CODE can't be empty" });
        });
    });

    it('answers feature.get through a webhook too (any user may call it)', async () => {
        await withEmulator({ plan: 'standard' }, async (emulator) => {
            const reply = await hook(emulator, 'feature.get', { CODE: 'rest_offline_extended' });
            assert.deepEqual(reply.body.result, { value: 'N' });
        });
    });

    it('answers feature.get on a self-hosted build with en_selfhosted, and every feature works there', async () => {
        await withEmulator({ plan: 'standard', selfHosted: true }, async (emulator) => {
            const reply = await rest(emulator, 'feature.get', { CODE: 'rest_offline_extended' });
            assert.deepEqual(reply.body.result, { value: 'en_selfhosted' });
            const reserved = await rest(emulator, 'event.offline.get', { clear: 0, auth_connector: 'erp' });
            assert.equal(reserved.status, 200);
        });
    });

    it('refuses REST to local apps and webhooks on the Free plan with 403 ACCESS_DENIED', async () => {
        await withEmulator({ plan: 'free' }, async (emulator) => {
            const expected = {
                error: 'ACCESS_DENIED',
                error_description: 'REST is available only on commercial plans',
            };
            const viaApp = await rest(emulator, 'user.admin');
            const viaHook = await hook(emulator, 'user.admin');
            assert.deepEqual([viaApp.status, viaApp.body], [403, expected]);
            assert.deepEqual([viaHook.status, viaHook.body], [403, expected]);
        });
    });

    it('names the license of each plan in app.info', async () => {
        const families: Record<string, string> = {};
        for (const plan of ['basic', 'standard', 'professional', 'enterprise'] as const) {
            await withEmulator({ plan }, async (emulator) => {
                families[plan] = (await rest(emulator, 'app.info')).body.result.LICENSE_FAMILY as string;
            });
        }
        assert.deepEqual(families, {
            basic: 'basic',
            standard: 'std',
            professional: 'pro',
            enterprise: 'ent',
        });
    });

    it('brings the new tier’s features on a plan change at run time', async () => {
        await withEmulator({}, async (emulator) => {
            const state = await postJson(`${emulator.portalUrl}/_emulator/`, 'plan', { plan: 'standard' });
            assert.equal(state.body.plan, 'standard');
            assert.deepEqual(state.body.features, {
                rest_offline_extended: false,
                rest_auth_connector: false,
            });
            assert.equal((await rest(emulator, 'event.offline.get', { clear: 0 })).status, 403);
        });
    });

    it('refuses an unknown plan over the control API and changes nothing', async () => {
        await withEmulator({}, async (emulator) => {
            const reply = await postJson(`${emulator.portalUrl}/_emulator/`, 'plan', { plan: 'gold' });
            assert.equal(reply.status, 400);
            assert.match(
                String(reply.body.error),
                /plan must be one of free, basic, standard, professional, enterprise/,
            );
            assert.equal(emulator.control.state().plan, 'professional');
        });
    });

    it('refuses to start with an unknown plan', async () => {
        await assert.rejects(
            // @ts-expect-error -- a plan name the type does not allow, as a JavaScript caller could pass it
            startEmulator({ plan: 'gold' }),
            /plan must be one of free, basic, standard, professional, enterprise \(got gold\)/,
        );
    });

    it('keeps queueing rows on a plan without features (only reservations and connectors are gated)', async () => {
        await withEmulator({ plan: 'basic' }, async (emulator) => {
            await bindOffline(emulator, 'ONCRMDEALADD');
            emulator.control.userChange({ entity: 'deal', action: 'add' });
            const reply = await rest(emulator, 'event.offline.get', {});
            assert.equal(reply.body.result.events.length, 1);
        });
    });
});
