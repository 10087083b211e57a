import assert from 'node:assert/strict';

import { LEASE_SECONDS, NAMES, runManyPortals, type ManyPortalsRun } from './many-portals-run';

/**
 * Issues 13 + 14: one application installed on 12 emulated portals (rate limits on) through one
 * instance's install URL, three Node-RED processes sharing one Redis (lease 5 s here); deals
 * added on every portal, one instance SIGKILLed, more deals added.
 */
describe('one application on 12 portals, three Node-RED instances sharing one store (issues 13, 14)', function () {
    this.timeout(240_000);
    let run: ManyPortalsRun;

    before(async () => {
        run = await runManyPortals();
        console.log(`      run: ${JSON.stringify(run)}`);
    });

    it('lists every installation made through one instance on all three', () => {
        assert.deepEqual(
            Object.values(run.listed),
            NAMES.map(() => run.portals),
        );
    });

    it('delivers every change of every portal', () => {
        assert.equal(run.delivered, run.changes);
    });

    it('leaves every portal queue empty, each change cleared on its own portal', () => {
        assert.equal(run.queueRows, 0);
    });

    it('gets no 503 on any portal', () => {
        assert.equal(run.status503, 0);
    });

    it('shares the portals evenly: each instance holds the lease of a third of them', () => {
        assert.deepEqual(
            NAMES.map((name) => run.leases[name]),
            NAMES.map(() => run.portals / NAMES.length),
        );
    });

    it('has each portal drained by the instance that holds its lease', () => {
        assert.equal(run.deliveredByOwner, run.portals);
    });

    it("takes the killed instance's portals over within leaseSeconds + 5 s", () => {
        assert.ok(run.takeoverMs <= (LEASE_SECONDS + 5) * 1000, `${run.takeoverMs} ms`);
    });

    it('has every live instance forget a portal whose uninstall reached one instance', () => {
        assert.deepEqual(Object.values(run.listedAfterUninstall), [run.portals - 1, run.portals - 1]);
    });
});
