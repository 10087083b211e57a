import assert from 'node:assert/strict';

import helper from 'node-red-node-test-helper';

import { sleep, spies } from '../helpers/node-flow';
import { until } from '../helpers/emulator-flow';
import { captureRed } from '../helpers/red';
import type { FarmPortal } from '../../dist/emulator';
import { APP_ID, appOf, formFields, installAll, loadApp, post, useAppBench } from './app-bench';

/** What a refused installation leaves: the warning that names the reason, nothing kept. */
async function refusal(count: number): Promise<string> {
    const warn = spies(helper.getNode(APP_ID)).warn;
    await until(() => warn.callCount > 0, 10_000, 'the refusal logged');
    const message = String(warn.lastCall.args[0]);
    assert.equal(appOf().installations().length, count, 'nothing more kept');
    return message;
}

describe('an application on many portals: installation through the install URL (emulator farm)', function () {
    this.timeout(60_000);
    const red = captureRed();
    const setup = useAppBench(red, 5);

    it('keeps the five portals that install it, each under its member_id and domain', async () => {
        const app = await loadApp(red, setup.bench);
        await installAll(setup.bench);
        const kept = app
            .installations()
            .map(({ memberId, domain, status }) => ({ memberId, domain, status }));
        const expected = setup.bench.farm.portals.map(({ memberId, domain }) => ({
            memberId,
            domain,
            status: 'active',
        }));
        const byMember = (a: { memberId: string }, b: { memberId: string }) =>
            a.memberId.localeCompare(b.memberId);
        assert.deepEqual(kept.sort(byMember), expected.sort(byMember));
    });

    it('binds ONAPPUNINSTALL and ONAPPUPDATE to the event URL on every portal', async () => {
        await loadApp(red, setup.bench);
        await installAll(setup.bench);
        const bound = (portal: FarmPortal) =>
            portal.control
                .bindings(setup.bench.farm.app.clientId)
                .filter((binding) => binding.handler === setup.bench.eventUrl)
                .map((binding) => binding.event)
                .sort()
                .join();
        await until(
            () => setup.bench.farm.portals.every((portal) => bound(portal) === 'ONAPPUNINSTALL,ONAPPUPDATE'),
            10_000,
            'both bound on every portal',
        );
    });

    it('sends one installed msg per portal from the portals node, with msg.portal and no token', async () => {
        await loadApp(red, setup.bench);
        const msgs: Record<string, unknown>[] = [];
        helper.getNode('out').on('input', (msg: Record<string, unknown>) => msgs.push(msg));
        await installAll(setup.bench);
        await until(() => msgs.length === 5, 5000, 'five msgs');
        for (const portal of setup.bench.farm.portals) {
            const msg = msgs.find((one) => (one.portal as { memberId: string }).memberId === portal.memberId);
            assert.deepEqual(
                { topic: msg?.topic, portal: msg?.portal, payload: msg?.payload },
                {
                    topic: 'installed',
                    portal: { memberId: portal.memberId, domain: portal.domain },
                    payload: { status: 'active', reason: 'ONAPPINSTALL' },
                },
            );
        }
        const text = JSON.stringify(msgs);
        for (const portal of setup.bench.farm.portals) {
            for (const { accessToken, refreshToken } of portal.control.issuedTokens()) {
                assert.ok(!text.includes(accessToken) && !text.includes(refreshToken), 'no token in a msg');
            }
        }
    });

    it('answers any msg to the portals node with every installation', async () => {
        await loadApp(red, setup.bench);
        await installAll(setup.bench, setup.bench.farm.portals.slice(0, 2));
        const reply = new Promise<Record<string, unknown>>((resolve) =>
            helper.getNode('out').once('input', resolve),
        );
        helper.getNode('portals').receive({ payload: 'list', topic: 'list' });
        const { payload } = await reply;
        assert.deepEqual(
            (payload as { memberId: string; domain: string; status: string; installedAt: string }[])
                .map(({ memberId, domain, status, installedAt }) => [
                    memberId,
                    domain,
                    status,
                    typeof installedAt,
                ])
                .sort(),
            setup.bench.farm.portals
                .slice(0, 2)
                .map((portal) => [portal.memberId, portal.domain, 'active', 'string'])
                .sort(),
        );
    });

    it('refuses the tokens of portal A under the domain of portal B, naming the reason and keeping nothing', async () => {
        await loadApp(red, setup.bench);
        const [a, b] = setup.bench.farm.portals;
        await installAll(setup.bench, [a]);
        const fields = formFields(setup.bench.forms.get(a.memberId) ?? '');
        const forged = {
            ...fields,
            'auth[domain]': b.domain,
            'auth[client_endpoint]': `${b.portalUrl}/rest/`,
            'auth[member_id]': b.memberId,
        };
        assert.equal(await post(setup.bench.installUrl, forged), 200, 'answered at once');
        const message = await refusal(1);
        assert.match(message, new RegExp(b.domain.replace(/\./g, '\\.')));
        assert.match(message, /does not accept the offered access token/);
        assert.ok(!message.includes(fields['auth[access_token]']), 'no token in the log');
        assert.equal(b.control.counters().requestsByMethod['app.info'], 1, 'one app.info on B');
    });

    it('refuses working tokens of another application on the portal (wrong client id)', async () => {
        await loadApp(red, setup.bench);
        const [a] = setup.bench.farm.portals;
        await installAll(setup.bench, [a]);
        const other = await a.control.installApp({});
        const fields = formFields(setup.bench.forms.get(a.memberId) ?? '');
        const forged = {
            ...fields,
            'auth[access_token]': other.accessToken,
            'auth[refresh_token]': other.refreshToken,
            'auth[application_token]': other.applicationToken,
        };
        await post(setup.bench.installUrl, forged);
        assert.match(await refusal(1), /another application/);
    });

    it('refuses an installation that names an unknown token server, before any request', async () => {
        await loadApp(red, setup.bench);
        const [a, b] = setup.bench.farm.portals;
        await installAll(setup.bench, [a]);
        await b.install(`${setup.bench.publicUrl}/nowhere`);
        const fields = formFields(setup.bench.forms.get(a.memberId) ?? '');
        const before = b.control.counters().requests;
        const forged = { ...fields, 'auth[server_endpoint]': 'https://oauth.attacker.example/rest/' };
        await post(setup.bench.installUrl, forged);
        assert.match(await refusal(1), /oauth\.attacker\.example/);
        assert.equal(b.control.counters().requests, before, 'no request');
    });

    it('refuses installations beyond maxPortals', async () => {
        await loadApp(red, setup.bench, { portal: { maxPortals: 3 } });
        const [first, second, third, fourth] = setup.bench.farm.portals;
        await installAll(setup.bench, [first, second, third]);
        assert.equal((await fourth.install(setup.bench.relayUrl)).status, 200);
        assert.match(await refusal(3), /maximum of 3 portals/);
    });

    it('answers 429 to installation POSTs beyond 60 at once and 20 a second, and 404 for a node that is no application', async () => {
        await loadApp(red, setup.bench);
        const started = Date.now();
        const statuses = await Promise.all(
            Array.from({ length: 150 }, () => post(setup.bench.installUrl, { event: 'ONAPPINSTALL' })),
        );
        const seconds = (Date.now() - started) / 1000;
        const taken = statuses.filter((status) => status === 200).length;
        assert.ok(statuses.includes(429), 'some refused');
        assert.ok(taken <= 60 + Math.ceil(20 * seconds) + 1, `${taken} taken in ${seconds} s`);
        await sleep(100);
        assert.equal(await post(`${setup.bench.publicUrl}/bitrix24/app/nope/install`, {}), 404);
    });
});
