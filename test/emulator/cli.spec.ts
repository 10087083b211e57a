import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const CLI = path.resolve(__dirname, '../../dist/emulator/cli.js');

describe('emulator: the b24-emulator command', () => {
    it('prints the portal, OAuth server, webhook and admin app on its first line and stops on SIGTERM', async () => {
        const child = spawn(
            process.execPath,
            [CLI, '--port', '0', '--plan', 'enterprise', '--limits', 'on'],
            {
                stdio: ['ignore', 'pipe', 'inherit'],
            },
        );
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        try {
            const firstLine = await new Promise<string>((resolve, reject) => {
                const lines = createInterface({ input: child.stdout });
                lines.once('line', resolve);
                child.once('error', reject);
            });
            const info = JSON.parse(firstLine) as {
                portalUrl: string;
                oauthServer: string;
                webhookUrl: string;
                app: Record<string, string | number>;
            };
            assert.match(info.portalUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
            assert.match(info.oauthServer, /^http:\/\/127\.0\.0\.1:\d+$/);
            assert.ok(info.webhookUrl.startsWith(`${info.portalUrl}/rest/1/`));
            assert.deepEqual(Object.keys(info.app).sort(), [
                'accessToken',
                'applicationToken',
                'clientId',
                'clientSecret',
                'expires',
                'memberId',
                'refreshToken',
            ]);
            const response = await fetch(`${info.portalUrl}/rest/user.admin?auth=${info.app.accessToken}`);
            assert.deepEqual(((await response.json()) as { result: boolean }).result, true);
            const state = (await (await fetch(`${info.portalUrl}/_emulator/state`)).json()) as {
                plan: string;
                limits: string;
            };
            assert.deepEqual([state.plan, state.limits], ['enterprise', 'on']);
            const events = (await (
                await fetch(`${info.portalUrl}/rest/event.get?auth=${info.app.accessToken}`)
            ).json()) as { result: unknown[] };
            assert.deepEqual(events.result, []);
        } finally {
            child.kill('SIGTERM');
        }
        assert.equal(await exited, 0);
    });
});
