import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { createInterface } from 'node:readline';

const CLI = path.resolve(__dirname, '../../dist/emulator/cli.js');

/** The first line with --portals N. */
interface FarmLine {
    oauthServer: string;
    farmControl: string;
    app: { clientId: string; clientSecret: string };
    portals: { index: number; portalUrl: string; domain: string; memberId: string }[];
}

interface FirstLine {
    portalUrl: string;
    oauthServer: string;
    webhookUrl: string;
    domain: string;
    clientEndpoint: string;
    serverEndpoint: string;
    certificate?: string;
    app: Record<string, string | number>;
}

/** Runs the CLI to its end (for --help and bad arguments). */
async function runToEnd(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { code, stdout, stderr };
}

/** Starts the CLI, reads its first line, and always stops it. */
async function withCli<Line = FirstLine>(
    args: string[],
    test: (line: Line, child: ChildProcess) => Promise<void>,
): Promise<void> {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
        const firstLine = await new Promise<string>((resolve, reject) => {
            createInterface({ input: child.stdout }).once('line', resolve);
            child.once('error', reject);
        });
        await test(JSON.parse(firstLine) as Line, child);
    } finally {
        child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
}

function getJson(url: string, ca?: string): Promise<{ status: number; body: unknown }> {
    return new Promise((resolve, reject) => {
        https
            .get(url, { ca }, (response) => {
                let text = '';
                response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
                response.on('end', () =>
                    resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }),
                );
            })
            .on('error', reject);
    });
}

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

    it('prints its options with --help and exits 0', async () => {
        const { code, stdout } = await runToEnd(['--help']);
        assert.equal(code, 0);
        for (const option of [
            '--plan',
            '--feature',
            '--tls',
            '--row-delay',
            '--ring-jitter',
            '--legacy-paging',
            '--token-ttl',
            '--operating-limit',
            '--portals',
        ]) {
            assert.ok(stdout.includes(option), option);
        }
    });

    it('names a bad argument, prints the usage and exits 2', async () => {
        const { code, stderr } = await runToEnd(['--plan', 'gold']);
        assert.equal(code, 2);
        assert.match(stderr, /bad --plan: gold/);
        assert.match(stderr, /usage: b24-emulator/);
    });

    it('carries expires, the domain and both endpoints in its first line', async () => {
        await withCli(['--token-ttl', '120'], async (line) => {
            assert.equal(line.domain, new URL(line.portalUrl).host);
            assert.equal(line.clientEndpoint, `${line.portalUrl}/rest/`);
            assert.equal(line.serverEndpoint, `${line.oauthServer}/rest/`);
            const now = Math.floor(Date.now() / 1000);
            assert.ok(Math.abs(Number(line.app.expires) - (now + 120)) <= 2, `expires ${line.app.expires}`);
            const reply = await fetch(`${line.clientEndpoint}user.admin?auth=${line.app.accessToken}`);
            assert.equal(reply.status, 200);
        });
    });

    it('takes the plan, feature switches and operating limit from its options', async () => {
        await withCli(
            ['--plan', 'standard', '--feature', 'rest_offline_extended=on', '--operating-limit', '60'],
            async (line) => {
                const state = (await (await fetch(`${line.portalUrl}/_emulator/state`)).json()) as {
                    plan: string;
                    features: Record<string, boolean>;
                    operatingLimitSeconds: number;
                };
                assert.deepEqual(
                    [state.plan, state.features, state.operatingLimitSeconds],
                    ['standard', { rest_offline_extended: true, rest_auth_connector: false }, 60],
                );
            },
        );
    });

    it('serves HTTPS with --tls and prints the self-signed certificate to trust', async () => {
        await withCli(['--tls'], async (line) => {
            assert.match(line.portalUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
            assert.match(line.certificate ?? '', /^-----BEGIN CERTIFICATE-----/);
            const reply = await getJson(
                `${line.portalUrl}/rest/user.admin?auth=${line.app.accessToken}`,
                line.certificate,
            );
            assert.equal(reply.status, 200);
            assert.equal((reply.body as { result: unknown }).result, true);
        });
    });

    it('starts N portals sharing one token server with --portals N and lists them on its first line', async () => {
        await withCli<FarmLine>(['--portals', '3'], async (line) => {
            assert.equal(line.farmControl, `${line.oauthServer}/_emulator/farm`);
            assert.match(line.app.clientId, /^app\./);
            assert.equal(new Set(line.portals.map((portal) => portal.domain)).size, 3);
            const listed = (await (await fetch(line.farmControl)).json()) as FarmLine;
            assert.deepEqual(listed.portals, line.portals);
            for (const portal of line.portals) {
                const state = (await (await fetch(`${portal.portalUrl}/_emulator/state`)).json()) as {
                    memberId: string;
                    oauthServer: string;
                };
                assert.deepEqual([state.memberId, state.oauthServer], [portal.memberId, line.oauthServer]);
            }
        });
    });

    it('refuses --portals 0 with a clear error and exits 2', async () => {
        const { code, stderr } = await runToEnd(['--portals', '0']);
        assert.equal(code, 2);
        assert.match(stderr, /bad --portals: 0 \(1 to 10000\)/);
    });

    it('is built as an executable script, so npx b24-emulator runs it', async () => {
        const stat = await fs.stat(CLI);
        assert.equal(stat.mode & 0o111, 0o111, 'the run bit for everyone');
        assert.match(await fs.readFile(CLI, 'utf8'), /^#!\/usr\/bin\/env node\n/);
    });
});
