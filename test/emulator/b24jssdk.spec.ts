// A second client that we did not write: the official @bitrix24/b24jssdk, run in a child process
// against the emulator over HTTPS (B24Hook accepts https webhook URLs only). The child trusts the
// emulator's self-signed certificate through NODE_EXTRA_CA_CERTS, set for the child alone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startEmulator, type Emulator } from '../../dist/emulator';

const CLIENT = path.resolve(__dirname, 'b24jssdk-client.ts');
const DEALS = 120;

interface Outcome {
    name: string;
    ok: boolean;
    /** Each scenario's own JSON shape, read by its test. */
    value?: unknown;
    error?: string;
}

async function runClient(emulator: Emulator, certFile: string): Promise<Map<string, Outcome>> {
    const setup = {
        webhookUrl: emulator.webhookUrl,
        portalUrl: emulator.portalUrl,
        serverEndpoint: `${emulator.control.state().tokenServer}/rest/`,
        clientId: emulator.app.clientId,
        clientSecret: emulator.app.clientSecret,
        accessToken: emulator.app.accessToken,
        refreshToken: emulator.app.refreshToken,
        memberId: emulator.app.memberId,
        applicationToken: emulator.app.applicationToken,
        dealCount: DEALS,
    };
    const child = spawn(process.execPath, ['--import', 'tsx', CLIENT], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: certFile, B24_SDK_SETUP: JSON.stringify(setup) },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(timer);
    const outcomes = new Map<string, Outcome>();
    for (const line of stdout.split('\n')) {
        if (!line.startsWith('{')) continue;
        const outcome = JSON.parse(line) as Outcome;
        outcomes.set(outcome.name, outcome);
    }
    if (code !== 0 || outcomes.size === 0) {
        throw new Error(`the SDK client exited with ${String(code)}: ${stderr.slice(0, 2000)}`);
    }
    return outcomes;
}

describe('emulator: the official JS SDK (@bitrix24/b24jssdk) as a second client, over HTTPS', function () {
    this.timeout(90_000);
    let emulator: Emulator;
    let outcomes: Map<string, Outcome>;
    let tmpDir: string;

    before(async () => {
        // A regional token server: the refresh works only if the SDK follows server_endpoint.
        emulator = await startEmulator({ tls: true, regionalTokenServer: true });
        for (let i = 0; i < DEALS; i++) {
            emulator.control.userChange({ entityTypeId: 2, action: 'add', fields: { title: `Deal ${i}` } });
        }
        emulator.control.expireAccessTokens();
        emulator.control.resetCounters();
        tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'b24-sdk-'));
        const certFile = path.join(tmpDir, 'emulator.pem');
        await fs.writeFile(certFile, emulator.certificate ?? '');
        outcomes = await runClient(emulator, certFile);
    });

    after(async () => {
        await emulator?.stop();
        if (tmpDir) await fs.rm(tmpDir, { recursive: true, force: true });
    });

    function outcome(name: string): Outcome {
        const found = outcomes.get(name);
        assert.ok(found, `scenario "${name}" did not run`);
        assert.equal(found.error, undefined, `scenario "${name}" failed`);
        assert.equal(found.ok, true);
        return found;
    }

    it('serves the SDK webhook client (B24Hook, https only) a plain call', () => {
        assert.equal(outcome('webhook call').value, true);
    });

    it('lets callList page a list to the end with start=-1 and an id cursor', () => {
        assert.equal(outcome('paged list (callList, start=-1)').value, DEALS);
    });

    it('reports next and total on an offset page', () => {
        assert.deepEqual(outcome('paged list (start, next, total)').value, { more: true, total: DEALS });
    });

    it('resolves a $result reference in an SDK batch', () => {
        assert.equal(outcome('batch with references').value, 'From the SDK');
    });

    it('refreshes an expired token at the token server it names and repeats the call', () => {
        const value = outcome('OAuth refresh on an expired token').value as {
            admin: boolean;
            refreshed: { accessToken: string } | null;
        };
        assert.equal(value.admin, true);
        assert.ok(value.refreshed, 'the SDK reported new tokens');
        assert.notEqual(value.refreshed?.accessToken, emulator.app.accessToken);
        assert.equal(emulator.control.counters().refreshes, 1);
    });

    it('binds an offline event through the SDK', () => {
        assert.equal(outcome('event.bind offline').value, true);
    });

    it('reserves rows with event.offline.get clear=0', () => {
        const value = outcome('event.offline.get with clear=0').value as {
            processId: string;
            events: string[];
        };
        assert.match(value.processId, /^[a-z0-9]{32}$/);
        assert.deepEqual(value.events, ['ONCRMDEALUPDATE', 'ONCRMDEALUPDATE']);
    });

    it('clears the reservation with event.offline.clear', () => {
        assert.equal(outcome('event.offline.clear').value, true);
    });

    it('lists what is left with event.offline.list', () => {
        assert.deepEqual(outcome('event.offline.list').value, [['ONCRMDEALUPDATE', '']]);
    });
});
