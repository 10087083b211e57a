import assert from 'node:assert/strict';

import { runWithoutStore, type ControlRun } from './control';
import { LEASE_SECONDS, runWithStore, type StoreRun } from './scenario';

/**
 * Issue 14: three Node-RED processes share one Redis through a `bitrix24-store` (lease 5 s here,
 * 15 s by default, so that the takeover fits a CI run) against the emulator with the standard
 * limits on and tokens that expire every 20 s; 3,000 changes. The control runs the same three
 * without a store and prints what goes wrong there beside the store run's figures.
 */
describe('three Node-RED instances sharing one store (issue 14)', function () {
    this.timeout(600_000);
    let run: StoreRun;
    let control: ControlRun;

    before(async () => {
        run = await runWithStore();
        control = await runWithoutStore();
        console.log(`      store run: ${JSON.stringify(run)}`);
        console.log(`      control (no store): ${JSON.stringify(control)}`);
    });

    it('delivers every one of the 3,000 changes', () => {
        assert.equal(run.delivered, run.changes);
    });

    it('leaves the queue empty', () => {
        assert.equal(run.queueRows, 0);
    });

    it('gets no 503 over all three instances together', () => {
        assert.equal(run.status503, 0);
    });

    it('refreshes the token once per expiry at most, never meeting invalid_grant', () => {
        assert.equal(run.invalidGrant, 0);
        assert.ok(
            run.refreshes <= run.expiries + 1,
            `${run.refreshes} refreshes for ${run.expiries} expiries`,
        );
    });

    it('lets one instance drain at a time', () => {
        assert.equal(run.drainersBeforeKill.length, 1, run.drainersBeforeKill.join(', '));
        // The drainer changes at the kill and, perhaps, at the outage; never back and forth.
        assert.ok(run.drainerSwitches <= 2, `${run.drainerSwitches} switches`);
    });

    it('has another instance drain within leaseSeconds + 5 s of a SIGKILL of the drainer', () => {
        assert.ok(run.takeoverMs <= (LEASE_SECONDS + 5) * 1000, `${run.takeoverMs} ms`);
    });

    it("delivers the killed instance's open reservations again from another instance", () => {
        assert.ok(run.redeliveredAfterKill > 0);
        assert.equal(run.duplicates - run.duplicatesAfterKill, 0, 'duplicates other than the takeover');
    });

    it('reserves nothing and refreshes nothing during a 5 s Redis outage, then resumes', () => {
        assert.equal(run.refreshesDuringOutage, 0);
        assert.equal(run.newReadsDuringOutage, 0);
        assert.ok(run.deliveredAfterOutage > 0);
    });

    it('keeps no token in the clear under the prefix', () => {
        assert.deepEqual(run.keysWithTokens, []);
    });

    it('shows, without a store, what the store prevents (503s, invalid_grant or duplicates)', () => {
        assert.ok(control.status503 + control.invalidGrant + control.duplicates > 0, JSON.stringify(control));
    });
});
