import assert from 'node:assert/strict';

import { AppBench, bindDealsNode } from './app-bench';

describe('many portals: a bind node with onDeploy and no connector of its own', function () {
    this.timeout(120_000);
    let bench: AppBench;

    before(async () => {
        bench = await AppBench.start(2);
        await bench.deploy(bench.flow([bindDealsNode()], { authConnector: 'sync' }));
        await bench.installAll();
    });

    after(async () => {
        await bench?.stop();
    });

    it("binds with the application's authConnector on every installation, the connector its get and clear nodes use", async () => {
        const { clientId } = bench.farm.app;
        const connectors = () =>
            bench.farm.portals.map((portal) =>
                portal.control
                    .bindings(clientId)
                    .filter((binding) => binding.event === 'ONCRMDEALADD')
                    .map((binding) => binding.connector),
            );
        await bench.until(() => connectors().every((list) => list.length > 0), 'the bindings');
        assert.deepEqual(connectors(), [['sync'], ['sync']]);
    });
});
