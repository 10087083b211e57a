import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { FileTokenStore, type StoredTokens } from '../../dist/bitrix24';
import { emulatorPortalNode } from '../../dist/demo/portal-node';
import { until } from '../../dist/demo/wait';
import { profileCallFlow, useRuntimeOnEmulator } from '../helpers/node-red-runtime';

const SECRET = 'credential-secret-of-this-test-7f3a';

/**
 * The token file in a real Node-RED runtime (design: "OAuth done right"): mode 0600 in a 0700
 * folder, encrypted under the runtime's credential secret when there is one. The unit tests of
 * the store are in test/unit/client.spec.ts; this checks what a user's runtime writes.
 */
describe('security: the token file a real Node-RED runtime writes', function () {
    this.timeout(90_000);
    const bench = useRuntimeOnEmulator();

    async function start(settings: Record<string, unknown>) {
        const started = await bench.start(settings);
        const dir = path.join(started.userDir, 'bitrix24');
        return { ...started, dir, file: path.join(dir, 'tokens-portal.json') };
    }

    async function modes(dir: string, file: string) {
        return {
            file: (await fs.stat(file)).mode & 0o777,
            dir: (await fs.stat(dir)).mode & 0o777,
        };
    }

    /** None of the values appears in the file's bytes, in any spelling JSON might give it. */
    async function assertAbsent(file: string, values: (string | undefined)[]) {
        const text = await fs.readFile(file, 'utf8');
        for (const value of values) {
            if (!value) continue;
            assert.ok(!text.includes(value), `a secret of ${value.length} characters is in the file`);
            assert.ok(
                !text.includes(Buffer.from(value).toString('base64')),
                'a secret is in the file as base64',
            );
        }
    }

    /** The access token works on the portal: the file holds the live pair, not a stale one. */
    async function works(tokens: StoredTokens | undefined) {
        const response = await fetch(`${bench.emulator.portalUrl}/rest/profile.json`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ auth: tokens?.accessToken }),
        });
        return ((await response.json()) as { result?: unknown }).result !== undefined;
    }

    async function refreshOnce(runtime: Awaited<ReturnType<typeof start>>) {
        await runtime.runtime.deploy(profileCallFlow(bench.emulator, 'tokens'), { started: true });
        await assert.rejects(fs.stat(runtime.file), 'nothing is written before tokens change');
        bench.emulator.control.expireAccessTokens();
        await runtime.runtime.inject('go');
        await until(
            async () => (await fs.stat(runtime.file).catch(() => undefined)) !== undefined,
            20_000,
            'the file',
        );
        assert.equal(bench.emulator.control.counters().refreshes, 1);
    }

    it('writes the tokens of an installation callback encrypted under the credential secret, mode 0600', async () => {
        const runtime = await start({ credentialSecret: SECRET });
        const app = { clientId: 'local.tokenfile.1', clientSecret: 'cs-tokenfile-9d8c7b6a5f4e' };
        await runtime.runtime.deploy([emulatorPortalNode(bench.emulator, { credentials: app })], {
            started: true,
        });
        const installed = await bench.emulator.control.installApp({
            ...app,
            installUrl: `${runtime.runtime.url}/bitrix24/install/portal`,
        });
        assert.equal(installed.callbackStatus, 200);

        assert.deepEqual(await modes(runtime.dir, runtime.file), { file: 0o600, dir: 0o700 });
        await assertAbsent(runtime.file, [
            installed.accessToken,
            installed.refreshToken,
            installed.applicationToken,
            app.clientSecret,
        ]);
        const stored = await new FileTokenStore(runtime.file, SECRET).load();
        assert.equal(stored?.refreshToken, installed.refreshToken);
        assert.equal(stored?.applicationToken, installed.applicationToken);
        assert.ok(await works(stored));
    });

    it('opens only with that secret: another secret or none fails', async () => {
        const runtime = await start({ credentialSecret: SECRET });
        await refreshOnce(runtime);
        await assert.rejects(new FileTokenStore(runtime.file, `${SECRET}-other`).load());
        await assert.rejects(new FileTokenStore(runtime.file).load(), /encrypted/);
        assert.ok(await new FileTokenStore(runtime.file, SECRET).load());
    });

    it('writes the rotated pair of a refresh encrypted, mode 0600, and the pair works', async () => {
        const runtime = await start({ credentialSecret: SECRET });
        await refreshOnce(runtime);
        assert.deepEqual(await modes(runtime.dir, runtime.file), { file: 0o600, dir: 0o700 });
        const stored = await new FileTokenStore(runtime.file, SECRET).load();
        assert.notEqual(stored?.refreshToken, bench.emulator.app.refreshToken, 'the rotated pair');
        await assertAbsent(runtime.file, [
            stored?.accessToken,
            stored?.refreshToken,
            bench.emulator.app.accessToken,
            bench.emulator.app.refreshToken,
            bench.emulator.app.applicationToken,
            bench.emulator.app.clientSecret,
        ]);
        assert.ok(await works(stored));
    });

    it('encrypts under the secret Node-RED generated when settings set none', async () => {
        const runtime = await start({ credentialSecret: undefined });
        await refreshOnce(runtime);
        const config = JSON.parse(
            await fs.readFile(path.join(runtime.userDir, '.config.runtime.json'), 'utf8'),
        ) as { _credentialSecret?: string };
        assert.ok(config._credentialSecret, 'Node-RED generated a secret');
        await assert.rejects(new FileTokenStore(runtime.file).load(), /encrypted/);
        const stored = await new FileTokenStore(runtime.file, config._credentialSecret).load();
        await assertAbsent(runtime.file, [stored?.accessToken, stored?.refreshToken]);
        assert.ok(await works(stored));
    });

    it('writes plain tokens with credentialSecret: false, still mode 0600', async () => {
        const runtime = await start({ credentialSecret: false });
        await refreshOnce(runtime);
        assert.deepEqual(await modes(runtime.dir, runtime.file), { file: 0o600, dir: 0o700 });
        const content = JSON.parse(await fs.readFile(runtime.file, 'utf8')) as { encrypted: boolean };
        assert.equal(content.encrypted, false);
        assert.ok(await works(await new FileTokenStore(runtime.file).load()));
    });
});
