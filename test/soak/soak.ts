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
import { ChangeDriver, type LastChange } from './changes';
import { BOUND_EVENTS, soakFlow } from './flow';
import { SoakRuntime } from './runtime';
import { checkScanner, SecretScanner } from './secrets';
import { startSink, type Delivery, type Sink } from './sink';

const FAULT_KINDS = [
    'portal-500',
    'portal-drop',
    'portal-lost',
    'portal-503',
    'token-expiry',
    'sink-fail',
    'sink-stall',
    'kill',
] as const;
type FaultKind = (typeof FAULT_KINDS)[number];

/** Fault strengths: shares of requests, and how often the timed faults strike. */
const RATES = {
    portal500: 0.05,
    portalDrop: 0.04,
    portalLost: 0.04,
    sinkFail: 0.05,
    /** Seconds between strikes of the timed faults (uniform in this range); the first comes early. */
    tokenExpiryEvery: [10, 25],
    burst503Every: [8, 20],
    burst503Size: [3, 10],
    stallEvery: [10, 25],
    stallWindowMs: 3000,
    /** How long the sink holds a request during a stall; over DELIVERY_TIMEOUT_MS the flow gives up. */
    stallHoldMs: [1000, 6000],
    killDownMs: [0, 2000],
} as const;
const DELIVERY_TIMEOUT_MS = 3000;
const CONNECTOR = 'soak';
/** The queue and the sink must stay quiet this long to count as settled. */
const QUIET_MS = 3000;

interface Options {
    events: number;
    seconds: number;
    faults: Set<FaultKind>;
    objects: number;
    kills: number;
    limits: { kind: 'standard' } | { kind: 'scaled'; factor: number };
    seed: number;
    settleSeconds: number;
    keep: boolean;
    logFile?: string;
}

function parseOptions(argv: string[]): Options {
    const args = new Map<string, string>();
    for (let i = 0; i < argv.length; i++) {
        const key = argv[i].replace(/^--/, '');
        if (key === 'keep') args.set(key, 'true');
        else args.set(key, argv[++i] ?? '');
    }
    const known = [
        'events',
        'seconds',
        'faults',
        'objects',
        'kills',
        'limits',
        'seed',
        'settle-seconds',
        'keep',
        'log',
    ];
    for (const key of args.keys()) if (!known.includes(key)) throw new Error(`unknown option --${key}`);
    const number = (key: string, fallback: number) => {
        const value = args.has(key) ? Number(args.get(key)) : fallback;
        if (!Number.isFinite(value) || value < 0) throw new Error(`--${key} must be a number >= 0`);
        return value;
    };
    const events = Math.floor(number('events', 3000));
    const seconds = number('seconds', 60);
    if (events < 1 || seconds <= 0) throw new Error('--events and --seconds must be positive');
    const faultList = (args.get('faults') ?? 'all')
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean);
    const faults = new Set<FaultKind>();
    for (const fault of faultList) {
        if (fault === 'all') FAULT_KINDS.forEach((kind) => faults.add(kind));
        else if (fault === 'none') continue;
        else if ((FAULT_KINDS as readonly string[]).includes(fault)) faults.add(fault as FaultKind);
        else throw new Error(`unknown fault ${fault}; known: all, none, ${FAULT_KINDS.join(', ')}`);
    }
    const limitsArg = args.get('limits') ?? 'standard';
    const scaled = /^scaled:(\d+(?:\.\d+)?)$/.exec(limitsArg);
    if (limitsArg !== 'standard' && !scaled) throw new Error('--limits is standard or scaled:<factor>');
    return {
        events,
        seconds,
        faults,
        objects: Math.floor(number('objects', Math.min(events, 2000, Math.max(100, Math.round(events / 5))))),
        kills: Math.floor(number('kills', faults.has('kill') ? Math.max(2, Math.round(seconds / 30)) : 0)),
        limits: scaled ? { kind: 'scaled', factor: Number(scaled[1]) } : { kind: 'standard' },
        seed: Math.floor(number('seed', Math.floor(Math.random() * 2 ** 31))),
        settleSeconds: number('settle-seconds', Math.max(180, seconds)),
        keep: args.has('keep'),
        logFile: args.get('log') ? path.resolve(args.get('log') ?? '') : undefined,
    };
}

/** mulberry32: the soak's own dice, seeded, so that a run's fault plan can be repeated. */
function seededRandom(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const log = (line: string) =>
    process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Things to undo, newest first, on success, failure and Ctrl-C. */
class Cleanup {
    private readonly steps: { name: string; run: () => Promise<void> | void }[] = [];
    private running: Promise<void> | undefined;

    add(name: string, run: () => Promise<void> | void): void {
        this.steps.push({ name, run });
    }

    runAll(): Promise<void> {
        this.running ??= (async () => {
            for (const step of this.steps.reverse()) {
                try {
                    await step.run();
                } catch (err) {
                    log(`cleanup: ${step.name} failed: ${String(err)}`);
                }
            }
        })();
        return this.running;
    }
}

/** The timed faults and the kills, while the changes run. */
class FaultPlan {
    readonly struck = { tokenExpiries: 0, bursts: 0, burst503Injected: 0, stalls: 0 };
    private readonly timers = new Set<NodeJS.Timeout>();
    private stopped = false;
    private kills: Promise<void> = Promise.resolve();
    private killError: Error | undefined;

    constructor(
        private readonly options: Options,
        private readonly emulator: Emulator,
        private readonly sink: Sink,
        private readonly runtime: SoakRuntime,
        private readonly random: () => number,
    ) {}

    start(): void {
        const { faults } = this.options;
        const on = (kind: FaultKind) => faults.has(kind);
        this.emulator.control.injectFaults({
            errorRate: on('portal-500') ? RATES.portal500 : 0,
            dropRate: on('portal-drop') ? RATES.portalDrop : 0,
            lostReplyRate: on('portal-lost') ? RATES.portalLost : 0,
        });
        if (on('sink-fail')) this.sink.faults.failRate = RATES.sinkFail;
        // Halfway through, a share fault that has not struck yet (a quiet run has few requests)
        // is made three times as likely, so that every fault that is on strikes at least once.
        const halfway = setTimeout(
            () => {
                this.timers.delete(halfway);
                const counters = this.emulator.control.counters();
                const current = this.emulator.control.state().faults;
                this.emulator.control.injectFaults({
                    errorRate: counters.injected500 === 0 ? current.errorRate * 3 : current.errorRate,
                    dropRate: counters.droppedConnections === 0 ? current.dropRate * 3 : current.dropRate,
                    lostReplyRate:
                        counters.lostReplies === 0 ? current.lostReplyRate * 3 : current.lostReplyRate,
                });
                if (this.sink.counters.failed === 0) this.sink.faults.failRate *= 3;
            },
            (this.options.seconds * 1000) / 2,
        );
        this.timers.add(halfway);
        if (on('token-expiry')) {
            this.every(RATES.tokenExpiryEvery, () => {
                if (this.emulator.control.expireAccessTokens() > 0) this.struck.tokenExpiries++;
            });
        }
        if (on('portal-503')) {
            this.every(RATES.burst503Every, () => {
                const size = Math.round(this.uniform(RATES.burst503Size));
                const left = this.emulator.control.state().faults.burst503;
                this.emulator.control.injectFaults({ burst503: left + size });
                this.struck.bursts++;
                this.struck.burst503Injected += size;
            });
        }
        if (on('sink-stall')) {
            this.every(RATES.stallEvery, () => {
                this.sink.stall(RATES.stallWindowMs, () => Math.round(this.uniform(RATES.stallHoldMs)));
                this.struck.stalls++;
            });
        }
        if (on('kill')) {
            this.kills = this.killAtRandomMoments().catch((err: unknown) => {
                this.killError = err instanceof Error ? err : new Error(String(err));
                log(`a restart failed: ${this.killError.message}`);
            });
        }
    }

    /** Stops every fault; resolves once a restart under way is over. Returns the 503s of bursts left unanswered. */
    async stop(): Promise<number> {
        this.stopped = true;
        for (const timer of this.timers) clearTimeout(timer);
        this.timers.clear();
        const unanswered = this.emulator.control.state().faults.burst503;
        this.emulator.control.clearFaults();
        this.sink.calm();
        await this.kills;
        if (this.killError) throw this.killError;
        return unanswered;
    }

    /** One kill in each of `kills` equal slots of the change window (its first and last tenth left out). */
    private async killAtRandomMoments(): Promise<void> {
        const { kills, seconds } = this.options;
        const started = Date.now();
        const slot = (0.8 * seconds * 1000) / Math.max(1, kills);
        for (let i = 0; i < kills; i++) {
            const at = started + 0.1 * seconds * 1000 + slot * (i + this.random());
            await sleep(Math.max(0, at - Date.now()));
            if (this.stopped) return;
            await this.runtime.killAndRestart(Math.round(this.uniform(RATES.killDownMs)));
        }
    }

    private every(range: readonly [number, number], strike: () => void): void {
        const schedule = (first: boolean) => {
            const seconds = first ? 2 + this.random() * 8 : this.uniform(range);
            const timer = setTimeout(() => {
                this.timers.delete(timer);
                if (this.stopped) return;
                strike();
                schedule(false);
            }, seconds * 1000);
            this.timers.add(timer);
        };
        schedule(true);
    }

    private uniform([low, high]: readonly [number, number]): number {
        return low + this.random() * (high - low);
    }
}

/** The sink's view of what arrived, and the exact check of every (object, last change) pair. */
class DeliveryLedger {
    deliveries = 0;
    /** Deliveries of an (object, state) the sink had already accepted. */
    duplicates = 0;
    /** Deliveries of a queue row version (ID, MESSAGE_ID, TIMESTAMP_X) already accepted. */
    rowRedeliveries = 0;
    redelivered = 0;
    private readonly states = new Map<number, Set<string>>();
    private readonly rows = new Set<string>();

    record(delivery: Delivery): void {
        this.deliveries++;
        if (delivery.redelivery > 0) this.redelivered++;
        const state = delivery.deleted ? '\u0000deleted' : (delivery.title ?? '');
        const seen = this.states.get(delivery.objectId) ?? new Set<string>();
        if (seen.has(state)) this.duplicates++;
        seen.add(state);
        this.states.set(delivery.objectId, seen);
        const row = `${delivery.rowId}|${delivery.messageId}|${delivery.timestamp}`;
        if (this.rows.has(row)) this.rowRedeliveries++;
        this.rows.add(row);
    }

    /** Objects whose last change never reached the sink. */
    lost(last: Map<number, LastChange>): number[] {
        const lost: number[] = [];
        for (const [id, change] of last) {
            const state = change.deleted ? '\u0000deleted' : (change.title ?? '');
            if (!this.states.get(id)?.has(state)) lost.push(id);
        }
        return lost;
    }
}

async function main(): Promise<number> {
    const options = parseOptions(process.argv.slice(2));
    const started = Date.now();
    const random = seededRandom(options.seed);
    const cleanup = new Cleanup();
    let runtime: SoakRuntime | undefined;
    let userDir: string | undefined;
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
    // Last resort if the process ends another way: no child and no temp directory left behind.
    process.once('exit', () => {
        runtime?.killNow();
        if (userDir && !options.keep) rmSync(userDir, { recursive: true, force: true });
    });

    try {
        checkScanner();
        const limits =
            options.limits.kind === 'standard'
                ? ('on' as const)
                : { burst: 50, rps: 2 * options.limits.factor };
        const emulator = await startEmulator({ plan: 'professional', limits, seed: options.seed });
        cleanup.add('emulator', () => emulator.stop());

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

        const ledger = new DeliveryLedger();
        const sink = await startSink({
            random,
            onDelivery: (delivery) => ledger.record(delivery),
            onText: (source, text) => scanner.text(source, text),
        });
        cleanup.add('sink', () => sink.close());

        userDir = await fs.mkdtemp(path.join(os.tmpdir(), 'b24-soak-'));
        const dir = userDir;
        if (!options.keep) cleanup.add('user directory', () => fs.rm(dir, { recursive: true, force: true }));
        runtime = new SoakRuntime({
            userDir,
            packageDir: path.resolve(__dirname, '../..'),
            settings: { logging: { console: { level: 'debug', metrics: false, audit: false } } },
            onText: (source, text) => scanner.text(source, text),
            log,
            logFile: options.logFile,
        });
        const nodeRed = runtime;
        cleanup.add('Node-RED', () => nodeRed.stop());
        await nodeRed.start();
        await nodeRed.deploy(
            soakFlow({
                emulator,
                publicUrl: nodeRed.url,
                sinkUrl: sink.url,
                authConnector: CONNECTOR,
                rateLimit:
                    options.limits.kind === 'standard'
                        ? 'standard'
                        : { burst: 50, rps: 2 * options.limits.factor },
                deliveryTimeoutMs: DELIVERY_TIMEOUT_MS,
            }),
        );
        await waitForBindings(emulator);
        log(
            `Node-RED ${nodeRed.url} (user directory ${userDir}), emulator ${emulator.portalUrl}, sink ${sink.url}; ` +
                `${options.events} changes to ${options.objects} deals over ${options.seconds} s, ` +
                `faults: ${[...options.faults].join(', ') || 'none'}, kills: ${options.kills}, seed ${options.seed}`,
        );

        emulator.control.resetCounters();
        const driver = new ChangeDriver(
            emulator.control,
            { total: options.events, seconds: options.seconds, objects: options.objects, deleteShare: 0.01 },
            random,
        );
        const faults = new FaultPlan(options, emulator, sink, nodeRed, random);
        const progress = setInterval(
            () => log(progressLine(emulator.control.counters(), driver, ledger, sink, nodeRed)),
            10_000,
        );
        cleanup.add('progress', () => clearInterval(progress));
        const changePhase = Date.now();
        faults.start();
        // The admin API of a runtime under load, with rotated tokens in memory (a kill may cut it short).
        const probeHalfway = sleep((options.seconds * 1000) / 2)
            .then(() => probeAdminApi(nodeRed, scanner, 'halfway'))
            .catch((err: unknown) => log(`admin API probe halfway cut short: ${String(err)}`));
        await driver.run();
        const burst503Unanswered = await faults.stop();
        log(
            `changes done in ${round((Date.now() - changePhase) / 1000)} s; faults off, waiting for the queue to settle`,
        );

        const settleStarted = Date.now();
        const settled = await settle(emulator, sink, options.settleSeconds * 1000);
        const settleSeconds = round((Date.now() - settleStarted) / 1000);
        log(settled ? `settled in ${settleSeconds} s` : `did not settle within ${options.settleSeconds} s`);
        clearInterval(progress);

        await probeHalfway;
        await probeAdminApi(nodeRed, scanner, 'end');
        await nodeRed.stop();
        const files = await scanUserDir(userDir, scanner);
        const counters = emulator.control.counters();

        const lostIds = ledger.lost(driver.last);
        const scan = scanner.summary();
        const faultsSeen: Partial<Record<FaultKind, number>> = {};
        const seen: Record<FaultKind, number> = {
            'portal-500': counters.injected500,
            'portal-drop': counters.droppedConnections,
            'portal-lost': counters.lostReplies,
            'portal-503': faults.struck.burst503Injected - burst503Unanswered,
            'token-expiry': faults.struck.tokenExpiries,
            'sink-fail': sink.counters.failed,
            'sink-stall': sink.counters.stalled,
            kill: nodeRed.figures.restarts,
        };
        for (const kind of options.faults) faultsSeen[kind] = seen[kind];

        const failures: string[] = [];
        if (!settled) failures.push(`the queue did not settle within ${options.settleSeconds} s`);
        if (lostIds.length > 0) failures.push(`${lostIds.length} (object, last change) pairs lost`);
        if (counters.queue.rows > 0) failures.push(`${counters.queue.rows} rows left in the queue`);
        if (scan.secretsFound > 0)
            failures.push(`${scan.secretsFound} secrets found in the runtime's outputs`);
        for (const kind of options.faults) if (seen[kind] === 0) failures.push(`fault ${kind} never struck`);
        if (nodeRed.figures.restarts < options.kills)
            failures.push(`${nodeRed.figures.restarts} restarts of ${options.kills} planned`);
        if (sink.counters.malformed > 0)
            failures.push(`${sink.counters.malformed} deliveries the sink could not read`);

        const report = {
            ok: failures.length === 0,
            failures,
            changes: driver.figures.made,
            pairs: driver.last.size,
            delivered: driver.last.size - lostIds.length,
            lost: lostIds.length,
            lostObjects: lostIds.slice(0, 20),
            duplicates: ledger.duplicates,
            rowsLeft: {
                total: counters.queue.rows,
                reserved: counters.queue.reserved,
                error: counters.queue.errored,
                unreserved: counters.queue.unreserved,
            },
            status503: counters.status503,
            status429: counters.status429,
            refreshes: counters.refreshes,
            restarts: nodeRed.figures.restarts,
            peakRssMb: round(nodeRed.figures.peakRssMb),
            faultsSeen,
            secretsFound: scan.secretsFound,
            wallSeconds: round((Date.now() - started) / 1000),
            run: {
                events: options.events,
                seconds: options.seconds,
                objects: options.objects,
                faults: [...options.faults],
                kills: options.kills,
                limits:
                    options.limits.kind === 'standard'
                        ? 'standard (50 burst, 2 per s) on the emulator and the portal node'
                        : `scaled x${options.limits.factor} (50 burst, ${2 * options.limits.factor} per s)`,
                seed: options.seed,
                settleSeconds,
                machine: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
            },
            changeMix: driver.figures,
            sink: {
                deliveries: ledger.deliveries,
                duplicates: ledger.duplicates,
                rowRedeliveries: ledger.rowRedeliveries,
                redeliveredMsgs: ledger.redelivered,
                ...sink.counters,
            },
            portal: {
                requests: counters.requests,
                requestsByMethod: counters.requestsByMethod,
                status503: counters.status503,
                status429: counters.status429,
                injected500: counters.injected500,
                droppedConnections: counters.droppedConnections,
                lostReplies: counters.lostReplies,
                refreshes: counters.refreshes,
                rowsQueued: counters.rowsQueued,
                rowsInserted: counters.rowsInserted,
                rowsMerged: counters.rowsMerged,
                rowsReserved: counters.rowsReserved,
                rowsErrored: counters.rowsErrored,
                rowsCleared: counters.rowsCleared,
                ringsSent: counters.ringsSent,
                ringsFailed: counters.ringsFailed,
                ringsDropped: counters.ringsDropped,
            },
            faultsStruck: faults.struck,
            runtime: {
                ...nodeRed.figures,
                peakRssMb: round(nodeRed.figures.peakRssMb),
                cpuMs: Math.round(nodeRed.figures.cpuMs),
            },
            caughtErrors: summarizeErrors(sink.errors, scanner),
            notableLogLines: nodeRed.notable.slice(0, 15).map((line) => scanner.redact(line)),
            secretScan: { ...scan, files },
        };
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return report.ok ? 0 : 1;
    } finally {
        await cleanup.runAll();
    }
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
async function probeAdminApi(runtime: SoakRuntime, scanner: SecretScanner, label: string): Promise<void> {
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

function summarizeErrors(errors: { source: string; message: string }[], scanner: SecretScanner) {
    const counts = new Map<string, number>();
    for (const error of errors) {
        const key = `${error.source}: ${scanner
            .redact(error.message)
            .replace(/\b[0-9a-z]{32}\b/g, '<id>')
            .slice(0, 160)}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]).slice(0, 25));
}

function progressLine(
    counters: CounterSnapshot,
    driver: ChangeDriver,
    ledger: DeliveryLedger,
    sink: Sink,
    runtime: SoakRuntime,
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
