// Steps that the soak of one portal and the soak of many portals share.
import { promises as fs, rmSync } from 'node:fs';
import path from 'node:path';

import { sleep } from '../../dist/demo/wait';
import type { Cleanup } from './cleanup';
import { log } from './console';
import type { SoakRuntimes } from './runtimes';
import type { SecretScanner } from './secrets';
import type { Sink } from './sink';

/** The queue and the sink must stay quiet this long to count as settled. */
const QUIET_MS = 3000;

/** What the process must not leave behind if it ends in a way that skips the cleanup. */
export interface Leftovers {
    runtime?: SoakRuntimes;
    userDirs?: string[];
}

/** Ctrl-C, a stray rejection or an exit of another kind: no child and no temp directory left behind. */
export function cleanUpOnExit(cleanup: Cleanup, leftovers: Leftovers, keep: boolean): void {
    const interrupted = (signal: NodeJS.Signals) => {
        log(`${signal}: cleaning up`);
        void cleanup.runAll().finally(() => process.exit(130));
    };
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
    process.on('unhandledRejection', (err) => {
        log(`unhandled rejection: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        void cleanup.runAll().finally(() => process.exit(1));
    });
    process.once('exit', () => {
        leftovers.runtime?.killNow();
        if (!keep) for (const dir of leftovers.userDirs ?? []) rmSync(dir, { recursive: true, force: true });
    });
}

/** No rows at all on any portal (normal or error, reserved or not) and a sink with nothing in flight, for QUIET_MS. */
export async function settle(rows: () => number, sink: Sink, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let quietSince = 0;
    while (Date.now() < deadline) {
        const quiet = rows() === 0 && sink.inFlight() === 0 && Date.now() - sink.lastDeliveryAt() >= QUIET_MS;
        if (!quiet) quietSince = 0;
        else if (quietSince === 0) quietSince = Date.now();
        else if (Date.now() - quietSince >= QUIET_MS) return true;
        await sleep(200);
    }
    return false;
}

/** The admin API answers an editor (or this soak) gets: none may hold a secret. */
export async function probeAdminApi(
    runtime: SoakRuntimes,
    scanner: SecretScanner,
    label: string,
    portals: 'one' | 'many' = 'one',
): Promise<void> {
    type Call = [method: 'GET' | 'POST', path: string, headers?: Record<string, string>];
    const onePortal: Call[] = [
        ['GET', '/credentials/bitrix24-portal/webhookPortal'],
        ['POST', '/bitrix24/portal/portal/test'],
        ['POST', '/bitrix24/portal/webhookPortal/test'],
    ];
    const application: Call[] = [['GET', '/bitrix24/portal/portal/installations']];
    const calls: Call[] = [
        ['GET', '/flows', { 'Node-RED-API-Version': 'v2' }],
        ['GET', '/nodes', { Accept: 'application/json' }],
        ['GET', '/nodes', { Accept: 'text/html' }],
        ['GET', '/settings'],
        ['GET', '/credentials/bitrix24-portal/portal'],
        ...(portals === 'one' ? onePortal : application),
    ];
    for (const [method, apiPath, headers] of calls) {
        const answer = await runtime.admin(method, apiPath, headers);
        scanner.scanNow('admin-api', `${answer.status}\n${answer.text}`, `${label} ${method} ${apiPath}`);
    }
}

export type ScannedFiles = Record<string, { bytes: number; encrypted?: boolean; mode?: string }>;

/** Every user directory's files; with several instances each file is named after its instance (`soak-1/...`). */
export async function scanUserDirs(
    userDirs: readonly string[],
    scanner: SecretScanner,
): Promise<ScannedFiles> {
    const files: ScannedFiles = {};
    for (const [i, dir] of userDirs.entries()) {
        for (const [name, info] of Object.entries(await scanUserDir(dir, scanner)))
            files[userDirs.length > 1 ? `soak-${i}/${name}` : name] = info;
    }
    return files;
}

/** Every file Node-RED and this package wrote in the user directory (flows, credentials, tokens, ledgers). */
async function scanUserDir(userDir: string, scanner: SecretScanner) {
    const files: ScannedFiles = {};
    const walk = async (dir: string): Promise<void> => {
        for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            const relative = path.relative(userDir, full);
            if (entry.isDirectory()) {
                if (entry.name !== 'node_modules') await walk(full);
                continue;
            }
            if (!entry.isFile()) continue;
            const text = await fs.readFile(full, 'utf8');
            scanner.scanNow('user-dir-files', text, relative);
            const info: { bytes: number; encrypted?: boolean; mode?: string } = { bytes: text.length };
            if (entry.name === 'flows_cred.json') info.encrypted = /^\{"\$":"/.test(text.trim());
            if (relative.startsWith('bitrix24')) {
                info.mode = ((await fs.stat(full)).mode & 0o777).toString(8);
                if (entry.name.startsWith('tokens-'))
                    info.encrypted = (JSON.parse(text) as { encrypted?: boolean }).encrypted === true;
            }
            files[relative] = info;
        }
    };
    await walk(userDir);
    return files;
}
