import assert from 'node:assert/strict';

import { until } from '../../dist/demo/wait';
import { ok } from '../helpers/fake-portal';
import { oauthAuth, useFakePortals, webhookAuth } from '../helpers/use-fake-portals';

const HOOK_SECRET = 'budgethooksecret77';

/** The portal keys a method's time budget by auth kind, application or webhook, and method (docs/bitrix24.md §8). */
describe('client: the operating budget per credential', () => {
    const { connect, portal } = useFakePortals('portal');

    it("does not pause the application's calls of a method when the webhook's calls of it got 429", async () => {
        portal().on('crm.deal.list', (req) =>
            req.path.includes(HOOK_SECRET)
                ? {
                      status: 429,
                      body: {
                          error: 'OPERATION_TIME_LIMIT',
                          error_description: 'Method is blocked due to operation time limit.',
                          time: { operating: 481, operating_reset_at: Math.floor(Date.now() / 1000) + 5 },
                      },
                  }
                : ok([]),
        );
        const webhook = connect(portal(), webhookAuth(portal(), HOOK_SECRET));
        const app = connect(
            portal(),
            oauthAuth(portal(), 'budget', { accessToken: 'budget-access', refreshToken: 'budget-refresh' }),
        );
        webhook.call('crm.deal.list').catch(() => undefined);
        await until(() => webhook.stats.operatingLimited === 1, 2_000);
        const startedAt = Date.now();
        await app.call('crm.deal.list');
        assert.ok(
            Date.now() - startedAt < 3_000, // the webhook's pause lasts 5 s
            `the application's call waited ${Date.now() - startedAt} ms`,
        );
    });
});
