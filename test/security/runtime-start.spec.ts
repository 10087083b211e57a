import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startRuntime } from '../helpers/node-red-runtime';

/**
 * Loaded into Node-RED with --require: the rename that ends writing .config.runtime.json takes
 * 3 s, as an fsync can on a busy disk.
 */
const SLOW_SETTINGS_WRITE = `
const fs = require('fs');
const rename = fs.rename;
fs.rename = function (from, to, callback) {
    if (String(to).endsWith('.config.runtime.json')) {
        setTimeout(() => rename.call(fs, from, to, callback), 3000);
        return;
    }
    return rename.apply(fs, arguments);
};
`;

describe('security: a real Node-RED runtime is ready only once it has started its flows', function () {
    this.timeout(90_000);
    let preloadDir: string;
    let stopRuntime: (() => Promise<void>) | undefined;

    beforeEach(async () => {
        preloadDir = await fs.mkdtemp(path.join(os.tmpdir(), 'b24-preload-'));
    });

    afterEach(async () => {
        await stopRuntime?.();
        stopRuntime = undefined;
        await fs.rm(preloadDir, { recursive: true, force: true });
    });

    it('waits for the start-up flows when writing the generated credential secret is slow', async () => {
        const preload = path.join(preloadDir, 'slow-settings-write.js');
        await fs.writeFile(preload, SLOW_SETTINGS_WRITE);
        const started = await startRuntime(
            { credentialSecret: undefined },
            { env: { NODE_OPTIONS: `--require ${preload}` } },
        );
        stopRuntime = started.stop;
        assert.ok(
            started.runtime.lines.some((line) => line.includes('[info] Started flows')),
            'a deploy made now would be stopped and started again by the start-up',
        );
        const config = JSON.parse(
            await fs.readFile(path.join(started.userDir, '.config.runtime.json'), 'utf8'),
        ) as { _credentialSecret?: string };
        assert.ok(config._credentialSecret, 'the generated secret is saved');
    });
});
