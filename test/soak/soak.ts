/**
 * The soak (issue 7): at-least-once delivery of every change of the portal, and no secret in
 * any output of the runtime, while the portal, the external system and the Node-RED process fail.
 *
 *   npm run -s soak -- [--events 3000] [--seconds 60] [--faults all|none|<kind>,<kind>...]
 *                      [--objects N] [--kills K] [--limits standard|scaled:<factor>]
 *                      [--seed N] [--settle-seconds S] [--keep] [--log <file>]
 *                      [--portals N | --instances N]
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
 *
 * `--portals N` runs it on one application installed on N portals (portals-soak.ts); `--instances N`
 * on N Node-RED processes sharing one redis-server through a `bitrix24-store`, where a kill strikes
 * one instance and, with the kill fault on, Redis is SIGKILLed now and then and comes back empty.
 */
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
import { startRuntimes, type SoakRuntimes } from './runtimes';
import { checkScanner, SecretScanner } from './secrets';
import { scanRedis, startSharedStore, STORE_LEASE_SECONDS } from './shared-store';
import { startSink, type Sink } from './sink';
import { cleanUpOnExit, probeAdminApi, scanUserDirs, settle, type Leftovers } from './steps';
import { portalsSoak } from './portals-soak';
import type { RedisServer } from '../helpers/redis-server';

const DELIVERY_TIMEOUT_MS = 3000;
const CONNECTOR = 'soak';

/** What the set-up phase starts, and the phases after it use. */
interface Soak {
    options: Options;
    random: () => number;
    emulator: Emulator;
    scanner: SecretScanner;
    ledger: DeliveryLedger;
    sink: Sink;
    runtime: SoakRuntimes;
    /** --instances: the store's server. */
    redis?: RedisServer;
}

async function main(): Promise<number> {
    const options = parseOptions(process.argv.slice(2));
    const started = Date.now();
    const cleanup = new Cleanup();
    const leftovers: Leftovers = {};
    cleanUpOnExit(cleanup, leftovers, options.keep);
    try {
        checkScanner();
        if (options.portals > 0) return await portalsSoak(options, cleanup, leftovers, started);
        const soak = await setUp(options, cleanup, leftovers);
        const changes = await runChanges(soak, cleanup);
        const settling = await settleQueue(soak);
        await changes.finish();
        await probeAdminApi(soak.runtime, soak.scanner, 'end');
        await soak.runtime.stop();
        const files = await scanUserDirs(soak.runtime.userDirs, soak.scanner);
        const redisKeys = soak.redis ? await scanRedis(soak.redis, soak.scanner) : undefined;
        const report = soakReport({
            ...soak,
            ...changes,
            ...settling,
            files,
            redisKeys,
            counters: soak.emulator.control.counters(),
            wallSeconds: round((Date.now() - started) / 1000),
        });
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return report.ok ? 0 : 1;
    } finally {
        await cleanup.runAll();
    }
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

    const redis = options.instances > 1 ? await startSharedStore(cleanup) : undefined;
    const runtime = await startRuntimes({
        count: options.instances,
        dirPrefix: 'b24-soak-',
        env: redis ? { REDIS_URL: redis.url } : undefined,
        scanner,
        random,
        logFile: options.logFile,
        keep: options.keep,
        cleanup,
        leftovers,
    });
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
        `Node-RED ${runtime.url} (${options.instances} instance(s), user directories ${runtime.userDirs.join(', ')}` +
            `${redis ? `, Redis ${redis.url}` : ''}), emulator ${emulator.portalUrl}, sink ${sink.url}; ` +
            `${options.events} changes to ${options.objects} deals over ${options.seconds} s, ` +
            `faults: ${[...options.faults].join(', ') || 'none'}, kills: ${options.kills}, seed ${options.seed}`,
    );
    return { options, random, emulator, scanner, ledger, sink, runtime, redis };
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
    const faults = new FaultPlan(options, [emulator.control], sink, runtime, random, redis);
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
    const settled = await settle(
        () => soak.emulator.control.counters().queue.rows,
        soak.sink,
        soak.options.settleSeconds * 1000,
    );
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

function progressLine(
    counters: CounterSnapshot,
    driver: ChangeDriver,
    ledger: DeliveryLedger,
    sink: Sink,
    runtime: SoakRuntimes,
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
