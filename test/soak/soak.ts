/**
 * The soak (issue 7): at-least-once delivery of every change of the portal, and no secret in
 * any output of the runtime, while the portal, the external system and the Node-RED process fail.
 *
 *   npm run -s soak -- [--events 3000] [--seconds 60] [--faults all|none|<kind>,<kind>...]
 *                      [--objects N] [--kills K] [--limits standard|scaled:<factor>]
 *                      [--seed N] [--settle-seconds S] [--keep] [--log <file>]
 *
 * It starts the emulator (in this process), a sink standing in for the external system, and a
 * real Node-RED with this package and the flow of flow.ts; makes `--events` user changes to deals
 * over `--seconds` while the chosen faults run; then stops the changes and the faults, waits for
 * the queue to settle, and prints one JSON object on stdout (progress goes to stderr). It exits
 * with 1 when a change is lost, a row is left, a secret is found, or a chosen fault never struck.
 *
 * "(object, last change) delivered", exactly: every change writes a title no other change writes
 * (`soak <n>`), and bitrix24-enrich reads an object only after offline-get has reserved its row,
 * so the enriched object the sink accepts names the newest change made before that read. The
 * pair is delivered when the sink accepted (answered 200 to) an event of that object whose
 * enriched title is the title of its last change; for a deleted object, when it accepted a
 * tombstone (`deleted: true`), which enrich only makes after the deletion. TIMESTAMP_X is not
 * used: it has one-second resolution, and event.offline.error folds newer rows of an object into
 * its older error row, which keeps the older TIMESTAMP_X (docs/bitrix24.md §3), so a correct delivery of
 * the last change can carry an older time.
 */
import { promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { sleep } from '../../dist/demo/wait';
import { startEmulator, type CounterSnapshot, type Emulator } from '../../dist/emulator';
import { ChangeDriver } from './changes';
import { Cleanup } from './cleanup';
import { log, round } from './console';
import { DeliveryLedger } from './delivery-ledger';
import { FaultPlan } from './fault-plan';
import { BOUND_EVENTS, soakFlow } from './flow';
import { parseOptions, seededRandom, type Options } from './options';
import { soakReport } from './report';
import { SoakRuntime, type RuntimeOptions } from './runtime';
import { SoakRuntimes } from './runtimes';
import { RedisServer } from '../helpers/redis-server';
import { checkScanner, SecretScanner } from './secrets';
import { startSink, type Sink } from './sink';

const DELIVERY_TIMEOUT_MS = 3000;
/** --instances: short leases, so that a killed instance's portal is taken over within the run. */
const STORE_LEASE_SECONDS = 5;
const CONNECTOR = 'soak';
/** The queue and the sink must stay quiet this long to count as settled. */
const QUIET_MS = 3000;

/** What the set-up phase starts, and the phases after it use. */
interface Soak {
    options: Options;
    random: () => number;
    emulator: Emulator;
    scanner: SecretScanner;
    ledger: DeliveryLedger;
    sink: Sink;
    runtime: SoakRuntime | SoakRuntimes;
    userDirs: string[];
    /** --instances: the store's server. */
    redis?: RedisServer;
}

/** What the process must not leave behind if it ends in a way that skips the cleanup. */
interface Leftovers {
    runtime?: SoakRuntime | SoakRuntimes;
    userDirs: string[];
}

async function main(): Promise<number> {
    const options = parseOptions(process.argv.slice(2));
    const started = Date.now();
    const cleanup = new Cleanup();
    const leftovers: Leftovers = { userDirs: [] };
    cleanUpOnExit(cleanup, leftovers, options.keep);
    try {
        checkScanner();
        const soak = await setUp(options, cleanup, leftovers);
        const changes = await runChanges(soak, cleanup);
        const settling = await settleQueue(soak);
        await changes.finish();
        await probeAdminApi(soak.runtime, soak.scanner, 'end');
        await soak.runtime.stop();
        const files: Awaited<ReturnType<typeof scanUserDir>> = {};
        for (const [i, dir] of soak.userDirs.entries()) {
            for (const [name, info] of Object.entries(await scanUserDir(dir, soak.scanner)))
                files[soak.userDirs.length > 1 ? `soak-${i}/${name}` : name] = info;
        }
        if (soak.redis) await scanRedis(soak.redis, soak.scanner);
        const report = soakReport({
            ...soak,
            ...changes,
            ...settling,
            files,
            counters: soak.emulator.control.counters(),
            wallSeconds: round((Date.now() - started) / 1000),
        });
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return report.ok ? 0 : 1;
    } finally {
        await cleanup.runAll();
    }
}

/** Ctrl-C, a stray rejection or an exit of another kind: no child and no temp directory left behind. */
function cleanUpOnExit(cleanup: Cleanup, leftovers: Leftovers, keep: boolean): void {
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
        if (!keep) for (const dir of leftovers.userDirs) rmSync(dir, { recursive: true, force: true });
    });
}

/** The emulator, the secret scanner, the sink, and Node-RED with the soak flow deployed and bound. */
async function setUp(options: Options, cleanup: Cleanup, leftovers: Leftovers): Promise<Soak> {
    const random = seededRandom(options.seed);
    const rateLimit =
        options.limits.kind === 'standard' ? undefined : { burst: 50, rps: 2 * options.limits.factor };
    const emulator = await startEmulator({
        plan: 'professional',
        limits: rateLimit ?? 'on',
        seed: options.seed,
    });
    cleanup.add('emulator', () => emulator.stop());
    const scanner = secretScanner(emulator);

    const ledger = new DeliveryLedger();
    const sink = await startSink({
        random,
        onDelivery: (delivery) => ledger.record(delivery),
        onText: (source, text) => scanner.text(source, text),
    });
    cleanup.add('sink', () => sink.close());

    const settings = { logging: { console: { level: 'debug', metrics: false, audit: false } } };
    const common = {
        packageDir: path.resolve(__dirname, '../..'),
        settings,
        onText: (source: Parameters<RuntimeOptions['onText']>[0], text: string) => scanner.text(source, text),
        log,
        logFile: options.logFile,
    };
    let redis: RedisServer | undefined;
    let runtime: SoakRuntime | SoakRuntimes;
    let userDirs: string[];
    if (options.instances > 1) {
        redis = await RedisServer.start();
        const server = redis;
        cleanup.add('redis-server', () => server.stop());
        const runtimes = new SoakRuntimes(
            { ...common, env: { REDIS_URL: redis.url } },
            options.instances,
            random,
        );
        runtime = runtimes;
        userDirs = runtimes.userDirs;
    } else {
        const userDir = await fs.mkdtemp(path.join(os.tmpdir(), 'b24-soak-'));
        runtime = new SoakRuntime({ ...common, userDir });
        userDirs = [userDir];
    }
    leftovers.userDirs = userDirs;
    if (!options.keep)
        cleanup.add('user directories', () =>
            Promise.all(userDirs.map((dir) => fs.rm(dir, { recursive: true, force: true }))).then(
                () => undefined,
            ),
        );
    leftovers.runtime = runtime;
    cleanup.add('Node-RED', () => runtime.stop());
    await runtime.start();
    await runtime.deploy(
        soakFlow({
            emulator,
            publicUrl: runtime.url,
            sinkUrl: sink.url,
            authConnector: CONNECTOR,
            rateLimit: rateLimit ?? 'standard',
            deliveryTimeoutMs: DELIVERY_TIMEOUT_MS,
            store: redis ? { leaseSeconds: STORE_LEASE_SECONDS } : undefined,
        }),
    );
    await waitForBindings(emulator);
    log(
        `Node-RED ${runtime.url} (${options.instances} instance(s), user directories ${userDirs.join(', ')}), emulator ${emulator.portalUrl}, sink ${sink.url}; ` +
            `${options.events} changes to ${options.objects} deals over ${options.seconds} s, ` +
            `faults: ${[...options.faults].join(', ') || 'none'}, kills: ${options.kills}, seed ${options.seed}`,
    );
    return { options, random, emulator, scanner, ledger, sink, runtime, userDirs, redis };
}

/** Watches every output for the app's secrets and every token the emulator issued so far. */
function secretScanner(emulator: Emulator): SecretScanner {
    let tokensSeen = 0;
    const scanner = new SecretScanner((self) => {
        const pairs = emulator.control.issuedTokens();
        for (const pair of pairs.slice(tokensSeen)) {
            self.add('accessToken', pair.accessToken);
            self.add('refreshToken', pair.refreshToken);
        }
        tokensSeen = pairs.length;
    });
    scanner.add('clientSecret', emulator.app.clientSecret);
    scanner.add('applicationToken', emulator.app.applicationToken);
    scanner.add('webhookSecret', /\/rest\/\d+\/([^/]+)\//.exec(emulator.webhookUrl)?.[1]);
    return scanner;
}

/** The user changes over `--seconds` with the faults on and the admin API probed halfway; then the faults stop. */
async function runChanges(soak: Soak, cleanup: Cleanup) {
    const { options, emulator, sink, runtime, random, ledger, scanner, redis } = soak;
    emulator.control.resetCounters();
    const driver = new ChangeDriver(
        emulator.control,
        { total: options.events, seconds: options.seconds, objects: options.objects, deleteShare: 0.01 },
        random,
    );
    const faults = new FaultPlan(options, emulator, sink, runtime, random, redis);
    const progress = setInterval(
        () => log(progressLine(emulator.control.counters(), driver, ledger, sink, runtime)),
        10_000,
    );
    cleanup.add('progress', () => clearInterval(progress));
    const changePhase = Date.now();
    faults.start();
    // The admin API of a runtime under load, with rotated tokens in memory (a kill may cut it short).
    const probeHalfway = sleep((options.seconds * 1000) / 2)
        .then(() => probeAdminApi(runtime, scanner, 'halfway'))
        .catch((err: unknown) => log(`admin API probe halfway cut short: ${String(err)}`));
    await driver.run();
    const burst503Unanswered = await faults.stop();
    log(
        `changes done in ${round((Date.now() - changePhase) / 1000)} s; faults off, waiting for the queue to settle`,
    );
    const finish = async () => {
        clearInterval(progress);
        await probeHalfway;
    };
    return { driver, faults, burst503Unanswered, finish };
}

/** Waits, faults off, for the queue to empty and the sink to go quiet. */
async function settleQueue(soak: Soak) {
    const settleStarted = Date.now();
    const settled = await settle(soak.emulator, soak.sink, soak.options.settleSeconds * 1000);
    const settleSeconds = round((Date.now() - settleStarted) / 1000);
    log(settled ? `settled in ${settleSeconds} s` : `did not settle within ${soak.options.settleSeconds} s`);
    return { settled, settleSeconds };
}

/** Every binding the flow makes at deploy: three offline deal events and the doorbell. */
async function waitForBindings(emulator: Emulator): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
        const bindings = emulator.control.bindings(emulator.app.clientId);
        const offline = BOUND_EVENTS.every((event) =>
            bindings.some((b) => b.event === event && b.connector === CONNECTOR && b.handler === ''),
        );
        if (offline && bindings.some((b) => b.event === 'ONOFFLINEEVENT')) return;
        if (Date.now() > deadline)
            throw new Error(`the flow did not bind its events: ${JSON.stringify(bindings)}`);
        await sleep(100);
    }
}

/** No rows at all (normal or error, reserved or not) and a sink with nothing in flight, for QUIET_MS. */
async function settle(emulator: Emulator, sink: Sink, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let quietSince = 0;
    while (Date.now() < deadline) {
        const quiet =
            emulator.control.counters().queue.rows === 0 &&
            sink.inFlight() === 0 &&
            Date.now() - sink.lastDeliveryAt() >= QUIET_MS;
        if (!quiet) quietSince = 0;
        else if (quietSince === 0) quietSince = Date.now();
        else if (Date.now() - quietSince >= QUIET_MS) return true;
        await sleep(200);
    }
    return false;
}

/** The admin API answers an editor (or this soak) gets: none may hold a secret. */
async function probeAdminApi(
    runtime: SoakRuntime | SoakRuntimes,
    scanner: SecretScanner,
    label: string,
): Promise<void> {
    const calls: [method: 'GET' | 'POST', path: string, headers?: Record<string, string>][] = [
        ['GET', '/flows', { 'Node-RED-API-Version': 'v2' }],
        ['GET', '/nodes', { Accept: 'application/json' }],
        ['GET', '/nodes', { Accept: 'text/html' }],
        ['GET', '/settings'],
        ['GET', '/credentials/bitrix24-portal/portal'],
        ['GET', '/credentials/bitrix24-portal/webhookPortal'],
        ['POST', '/bitrix24/portal/portal/test'],
        ['POST', '/bitrix24/portal/webhookPortal/test'],
    ];
    for (const [method, apiPath, headers] of calls) {
        const answer = await runtime.admin(method, apiPath, headers);
        scanner.scanNow('admin-api', `${answer.status}\n${answer.text}`, `${label} ${method} ${apiPath}`);
    }
}

/** Every value the instances keep under the store's prefix (tokens must be sealed). */
async function scanRedis(redis: RedisServer, scanner: SecretScanner): Promise<void> {
    const client = redis.client();
    try {
        for (const key of await client.keys('b24:*')) {
            const type = await client.type(key);
            const value =
                type === 'string'
                    ? await client.get(key)
                    : type === 'hash'
                      ? JSON.stringify(await client.hgetall(key))
                      : type === 'zset'
                        ? JSON.stringify(await client.zrange(key, 0, -1))
                        : type === 'set'
                          ? JSON.stringify(await client.smembers(key))
                          : '';
            scanner.scanNow('redis', `${key}\n${value ?? ''}`, `redis ${key}`);
        }
    } finally {
        client.disconnect();
    }
}

/** Every file Node-RED and this package wrote in the user directory (flows, credentials, tokens, ledgers). */
async function scanUserDir(userDir: string, scanner: SecretScanner) {
    const files: Record<string, { bytes: number; encrypted?: boolean; mode?: string }> = {};
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

function progressLine(
    counters: CounterSnapshot,
    driver: ChangeDriver,
    ledger: DeliveryLedger,
    sink: Sink,
    runtime: SoakRuntime | SoakRuntimes,
): string {
    const { queue } = counters;
    return (
        `changes ${driver.figures.made}, sink accepted ${ledger.deliveries} (failed ${sink.counters.failed}, ` +
        `stalled ${sink.counters.stalled}, abandoned ${sink.counters.abandoned}), queue ${queue.rows} rows ` +
        `(reserved ${queue.reserved}, error ${queue.errored}), requests ${counters.requests}, 503 ${counters.status503}, ` +
        `429 ${counters.status429}, refreshes ${counters.refreshes}, restarts ${runtime.figures.restarts}`
    );
}

main().then(
    (code) => {
        process.exitCode = code;
    },
    (err: unknown) => {
        log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        process.exitCode = 1;
    },
);
