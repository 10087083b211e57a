/**
 * The soak of one application installed on many portals (`npm run soak -- --portals N`): the
 * same changes, faults and kills as the soak of one portal (soak.ts), spread over N emulated
 * portals of one emulator farm. The changes are shared out evenly; the share faults (500s,
 * dropped connections, lost replies) run on every portal, each timed strike (a token expiry, a
 * burst of 503s) hits one portal drawn at random, and each kill restarts the Node-RED that serves
 * all of them. Every portal must end with nothing lost and no row left; no secret of any
 * installation may show. Prints one JSON object with the figures of every portal.
 */
import { installUrl } from '../../dist/demo/multi-portal-flow';
import { sleep, until } from '../../dist/demo/wait';
import { startEmulatorFarm, type EmulatorFarm, type FarmPortal } from '../../dist/emulator';
import { ChangeDriver } from './changes';
import type { Cleanup } from './cleanup';
import { log, round } from './console';
import { DeliveryLedger } from './delivery-ledger';
import { FaultPlan } from './fault-plan';
import { BOUND_EVENTS, soakFlow } from './flow';
import { startInstallRelay } from './install-relay';
import { seededRandom, type FaultKind, type Options } from './options';
import { startRuntimes } from './runtimes';
import { SecretScanner } from './secrets';
import { startSink } from './sink';
import { probeAdminApi, scanUserDirs, settle, type Leftovers } from './steps';

const DELIVERY_TIMEOUT_MS = 3000;
const CONNECTOR = 'soak';

export async function portalsSoak(
    options: Options,
    cleanup: Cleanup,
    leftovers: Leftovers,
    started: number,
): Promise<number> {
    const random = seededRandom(options.seed);
    const rateLimit =
        options.limits.kind === 'standard' ? undefined : { burst: 50, rps: 2 * options.limits.factor };
    const farm = await startEmulatorFarm({
        portals: options.portals,
        plan: 'professional',
        limits: rateLimit ?? 'on',
        seed: options.seed,
    });
    cleanup.add('emulator farm', () => farm.stop());
    const scanner = farmScanner(farm);
    const ledgers = new Map(farm.portals.map((portal) => [portal.memberId, new DeliveryLedger()]));
    let strayDeliveries = 0;
    const sink = await startSink({
        random,
        onDelivery: (delivery) => {
            const ledger = ledgers.get(delivery.memberId);
            if (ledger) ledger.record(delivery);
            else strayDeliveries++;
        },
        onText: (source, text) => scanner.text(source, text),
    });
    cleanup.add('sink', () => sink.close());

    const runtime = await startRuntimes({
        count: 1,
        dirPrefix: 'b24-soak-portals-',
        scanner,
        random,
        logFile: options.logFile,
        keep: options.keep,
        cleanup,
        leftovers,
    });
    await runtime.deploy(
        soakFlow({
            publicUrl: runtime.url,
            sinkUrl: sink.url,
            authConnector: CONNECTOR,
            rateLimit: rateLimit ?? 'standard',
            deliveryTimeoutMs: DELIVERY_TIMEOUT_MS,
            app: { oauthServer: farm.oauthServer, ...farm.app },
        }),
    );
    // The deploy answers before the new flows start: the install URL exists once the app node does.
    await until(
        async () => (await runtime.admin('GET', '/bitrix24/portal/portal/installations')).status === 200,
        60_000,
        'the application node to start',
    );
    const relay = await startInstallRelay(installUrl(runtime.url, 'portal'), (token) =>
        scanner.add('applicationToken', token),
    );
    cleanup.add('install relay', () => relay.close());
    await installAll(farm, relay.url);
    await waitForBindings(farm);
    log(
        `Node-RED ${runtime.url} (user directory ${runtime.userDirs.join(', ')}), ${farm.portals.length} portals, sink ${sink.url}; ` +
            `${options.events} changes to ${options.objects} deals over ${options.seconds} s, ` +
            `faults: ${[...options.faults].join(', ') || 'none'}, kills: ${options.kills}, seed ${options.seed}`,
    );

    // The changes, shared out, with the faults on and the admin API probed halfway.
    for (const portal of farm.portals) portal.control.resetCounters();
    const share = (total: number) => Math.max(1, Math.ceil(total / farm.portals.length));
    const drivers = farm.portals.map(
        (portal) =>
            new ChangeDriver(
                portal.control,
                {
                    total: share(options.events),
                    seconds: options.seconds,
                    objects: share(options.objects),
                    deleteShare: 0.01,
                },
                random,
            ),
    );
    const controls = farm.portals.map((portal) => portal.control);
    const faults = new FaultPlan(options, controls, sink, runtime, random);
    const rows = () => controls.reduce((total, control) => total + control.counters().queue.rows, 0);
    const progress = setInterval(() => {
        const made = drivers.reduce((total, driver) => total + driver.figures.made, 0);
        const accepted = [...ledgers.values()].reduce((total, ledger) => total + ledger.deliveries, 0);
        log(
            `changes ${made}, sink accepted ${accepted}, rows ${rows()}, restarts ${runtime.figures.restarts}`,
        );
    }, 10_000);
    cleanup.add('progress', () => clearInterval(progress));
    faults.start();
    const probeHalfway = sleep((options.seconds * 1000) / 2)
        .then(() => probeAdminApi(runtime, scanner, 'halfway', 'many'))
        .catch((err: unknown) => log(`admin API probe halfway cut short: ${String(err)}`));
    await Promise.all(drivers.map((driver) => driver.run()));
    const burst503Unanswered = await faults.stop();
    log('changes done; faults off, waiting for every portal to settle');
    const settleStarted = Date.now();
    const settled = await settle(rows, sink, options.settleSeconds * 1000);
    const settleSeconds = round((Date.now() - settleStarted) / 1000);
    log(settled ? `settled in ${settleSeconds} s` : `did not settle within ${options.settleSeconds} s`);
    clearInterval(progress);
    await probeHalfway;
    await probeAdminApi(runtime, scanner, 'end', 'many');
    await runtime.stop();
    const files = await scanUserDirs(runtime.userDirs, scanner);

    const portals = farm.portals.map((portal, index) => {
        const driver = drivers[index];
        const ledger = ledgers.get(portal.memberId) ?? new DeliveryLedger();
        const counters = portal.control.counters();
        const lost = ledger.lost(driver.last);
        return {
            index,
            memberId: portal.memberId,
            changes: driver.figures.made,
            pairs: driver.last.size,
            lost: lost.length,
            lostObjects: lost.slice(0, 10),
            rowsLeft: counters.queue.rows,
            deliveries: ledger.deliveries,
            duplicates: ledger.duplicates,
            requests: counters.requests,
            status503: counters.status503,
            status429: counters.status429,
            injected500: counters.injected500,
            droppedConnections: counters.droppedConnections,
            lostReplies: counters.lostReplies,
            refreshes: counters.refreshes,
            ringsSent: counters.ringsSent,
        };
    });
    const total = (key: keyof (typeof portals)[number]) =>
        portals.reduce((sum, portal) => sum + Number(portal[key]), 0);
    const seen: Record<FaultKind, number> = {
        'portal-500': total('injected500'),
        'portal-drop': total('droppedConnections'),
        'portal-lost': total('lostReplies'),
        'portal-503': faults.struck.burst503Injected - burst503Unanswered,
        'token-expiry': faults.struck.tokenExpiries,
        'sink-fail': sink.counters.failed,
        'sink-stall': sink.counters.stalled,
        kill: runtime.figures.restarts,
    };
    const scan = scanner.summary();
    const failures: string[] = [];
    if (!settled) failures.push(`the queues did not settle within ${options.settleSeconds} s`);
    for (const portal of portals) {
        if (portal.lost > 0)
            failures.push(`portal ${portal.index}: ${portal.lost} (object, last change) pairs lost`);
        if (portal.rowsLeft > 0)
            failures.push(`portal ${portal.index}: ${portal.rowsLeft} rows left in the queue`);
    }
    if (scan.secretsFound > 0) failures.push(`${scan.secretsFound} secrets found in the runtime's outputs`);
    for (const kind of options.faults) if (seen[kind] === 0) failures.push(`fault ${kind} never struck`);
    if (runtime.figures.restarts < options.kills)
        failures.push(`${runtime.figures.restarts} restarts of ${options.kills} planned`);
    if (sink.counters.malformed > 0)
        failures.push(`${sink.counters.malformed} deliveries the sink could not read`);
    if (strayDeliveries > 0) failures.push(`${strayDeliveries} deliveries named no installed portal`);

    const report = {
        ok: failures.length === 0,
        failures,
        portals: portals.length,
        changes: total('changes'),
        pairs: total('pairs'),
        lost: total('lost'),
        rowsLeft: total('rowsLeft'),
        status503: total('status503'),
        secretsFound: scan.secretsFound,
        restarts: runtime.figures.restarts,
        faultsSeen: Object.fromEntries([...options.faults].map((kind) => [kind, seen[kind]])),
        faultsStruck: faults.struck,
        wallSeconds: round((Date.now() - started) / 1000),
        settleSeconds,
        run: {
            events: options.events,
            seconds: options.seconds,
            objects: options.objects,
            kills: options.kills,
            seed: options.seed,
            limits: rateLimit ? `scaled (50 burst, ${rateLimit.rps} per s)` : 'standard (50 burst, 2 per s)',
        },
        sink: { ...sink.counters, strayDeliveries },
        runtime: {
            ...runtime.figures,
            peakRssMb: round(runtime.figures.peakRssMb),
            cpuMs: Math.round(runtime.figures.cpuMs),
        },
        perPortal: portals,
        notableLogLines: runtime.notable.slice(0, 15).map((line) => scanner.redact(line)),
        secretScan: { ...scan, files },
    };
    for (const portal of portals) {
        log(
            `portal ${portal.index}: ${portal.changes} changes, ${portal.pairs} objects, lost ${portal.lost}, ` +
                `rows left ${portal.rowsLeft}, delivered ${portal.deliveries} (duplicates ${portal.duplicates}), ` +
                `requests ${portal.requests}, 503 ${portal.status503}, refreshes ${portal.refreshes}`,
        );
    }
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.ok ? 0 : 1;
}

/** The application's secret and every token any portal issued; application tokens come from the relay. */
function farmScanner(farm: EmulatorFarm): SecretScanner {
    const seen = new Map<FarmPortal, number>();
    const scanner = new SecretScanner((self) => {
        for (const portal of farm.portals) {
            const pairs = portal.control.issuedTokens();
            for (const pair of pairs.slice(seen.get(portal) ?? 0)) {
                self.add('accessToken', pair.accessToken);
                self.add('refreshToken', pair.refreshToken);
            }
            seen.set(portal, pairs.length);
        }
    });
    scanner.add('clientSecret', farm.app.clientSecret);
    return scanner;
}

/** Every portal POSTs its installation; the install URL's rate limit (429) is waited out. */
async function installAll(farm: EmulatorFarm, url: string): Promise<void> {
    for (const portal of farm.portals) {
        for (;;) {
            const { status } = await portal.install(url);
            if (status === 200) break;
            if (status !== 429) throw new Error(`the installation on ${portal.domain} answered ${status}`);
            await sleep(250);
        }
    }
}

/** On every portal: the three offline deal events (with the soak's connector) and the doorbell. */
async function waitForBindings(farm: EmulatorFarm): Promise<void> {
    const deadline = Date.now() + 60_000;
    const bound = (portal: FarmPortal) => {
        const bindings = portal.control.bindings(farm.app.clientId);
        const offline = BOUND_EVENTS.every((event) =>
            bindings.some((b) => b.event === event && b.connector === CONNECTOR && b.handler === ''),
        );
        return offline && bindings.some((b) => b.event === 'ONOFFLINEEVENT');
    };
    for (;;) {
        const waiting = farm.portals.filter((portal) => !bound(portal));
        if (waiting.length === 0) return;
        if (Date.now() > deadline)
            throw new Error(
                `${waiting.length} portals did not get the flow's bindings within 60 s; the first has ` +
                    JSON.stringify(waiting[0].control.bindings(farm.app.clientId)),
            );
        await sleep(100);
    }
}
