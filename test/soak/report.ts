import os from 'node:os';

import type { CounterSnapshot } from '../../dist/emulator';
import type { ChangeDriver } from './changes';
import { round } from './console';
import type { DeliveryLedger } from './delivery-ledger';
import type { FaultPlan } from './fault-plan';
import type { FaultKind, Options } from './options';
import type { SoakRuntimes } from './runtimes';
import type { SecretScanner } from './secrets';
import type { Sink } from './sink';

/** What the phases of a soak found, for its report. */
export interface SoakFindings {
    options: Options;
    ledger: DeliveryLedger;
    sink: Sink;
    runtime: SoakRuntimes;
    scanner: SecretScanner;
    driver: ChangeDriver;
    faults: FaultPlan;
    burst503Unanswered: number;
    settled: boolean;
    settleSeconds: number;
    files: Record<string, { bytes: number; encrypted?: boolean; mode?: string }>;
    /** --instances: the Redis keys scanned for secrets at the end. */
    redisKeys?: number;
    counters: CounterSnapshot;
    wallSeconds: number;
}

/** The soak's verdict (`ok`, `failures`) and its figures: the JSON printed on stdout. */
export function soakReport(findings: SoakFindings) {
    const { options, ledger, sink, runtime, scanner, driver, faults, burst503Unanswered } = findings;
    const { settleSeconds, files, redisKeys, counters, wallSeconds } = findings;
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
        kill: runtime.figures.restarts,
    };
    for (const kind of options.faults) faultsSeen[kind] = seen[kind];

    const failures = verdict(findings, lostIds.length, scan.secretsFound, seen);

    return {
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
        restarts: runtime.figures.restarts,
        peakRssMb: round(runtime.figures.peakRssMb),
        faultsSeen,
        secretsFound: scan.secretsFound,
        wallSeconds,
        run: {
            events: options.events,
            seconds: options.seconds,
            objects: options.objects,
            faults: [...options.faults],
            kills: options.kills,
            instances: options.instances,
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
            ...runtime.figures,
            peakRssMb: round(runtime.figures.peakRssMb),
            cpuMs: Math.round(runtime.figures.cpuMs),
        },
        caughtErrors: summarizeErrors(sink.errors, scanner),
        notableLogLines: runtime.notable.slice(0, 15).map((line) => scanner.redact(line)),
        secretScan: { ...scan, files, redisKeys },
    };
}

/** What makes the soak fail: something lost or left, a secret shown, a fault or kill that never came. */
function verdict(
    { options, sink, runtime, settled, counters }: SoakFindings,
    lost: number,
    secretsFound: number,
    seen: Record<FaultKind, number>,
): string[] {
    const failures: string[] = [];
    if (!settled) failures.push(`the queue did not settle within ${options.settleSeconds} s`);
    if (lost > 0) failures.push(`${lost} (object, last change) pairs lost`);
    if (counters.queue.rows > 0) failures.push(`${counters.queue.rows} rows left in the queue`);
    if (secretsFound > 0) failures.push(`${secretsFound} secrets found in the runtime's outputs`);
    for (const kind of options.faults) if (seen[kind] === 0) failures.push(`fault ${kind} never struck`);
    if (runtime.figures.restarts < options.kills)
        failures.push(`${runtime.figures.restarts} restarts of ${options.kills} planned`);
    if (sink.counters.malformed > 0)
        failures.push(`${sink.counters.malformed} deliveries the sink could not read`);

    return failures;
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
