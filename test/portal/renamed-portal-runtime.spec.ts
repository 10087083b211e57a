import assert from 'node:assert/strict';

import { until } from '../../dist/demo/wait';
import { profileCallFlow, useRuntimeOnEmulator } from '../helpers/node-red-runtime';

/**
 * The warning about a renamed portal as a user's Node-RED logs it: translated (the test helper's
 * runtime has no catalogs), with both addresses, once.
 */
describe('portal node: a renamed portal in a real Node-RED runtime', function () {
    this.timeout(90_000);
    const bench = useRuntimeOnEmulator();

    it('logs one translated warning naming the old and the new address', async () => {
        const { emulator } = bench;
        const { runtime } = await bench.start();
        await runtime.deploy(profileCallFlow(emulator, 'moved'), { started: true });
        const oldUrl = emulator.portalUrl;
        const { portalUrl } = await emulator.control.renamePortal();
        const profiles = () => emulator.control.counters().requestsByMethod.profile ?? 0;
        for (let calls = 1; calls <= 2; calls++) {
            await runtime.inject('go');
            await until(() => profiles() === calls, 20_000, `profile call ${calls} at the new address`);
        }
        const warnings = runtime.lines.filter((line) => line.includes('The portal moved'));
        assert.equal(warnings.length, 1, warnings.join('\n'));
        assert.ok(warnings[0].includes(`${oldUrl} redirects to ${portalUrl}`), warnings[0]);
    });
});
