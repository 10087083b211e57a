/**
 * The many-portals benchmark (issue 13): one application installed on many emulated portals, all
 * in ONE emulator farm (this process) and ONE Node-RED (a child process) running the flow
 * trigger -> get -> function (timestamps the delivery) -> clear. It installs every portal through
 * the install URL, then changes deals on some portals while the others stay idle, rings on, and
 * prints one JSON summary of the figures against their targets (docs/portals.md).
 *
 *   npm run bench:portals -- [--portals 1000] [--active 100] [--seconds 60] [--change-every 5]
 *
 * Not a test: it asserts nothing and prints what it measured.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { installUrl, multiPortalFlow } from '../../dist/demo/multi-portal-flow';
import { NodeRedProcess } from '../../dist/demo/node-red-process';
import { sleep } from '../../dist/demo/wait';
import { startEmulatorFarm, type EmulatorFarm, type FarmPortal } from '../../dist/emulator';
import { PollBackoff } from '../../dist/runtime/app/poll-backoff';
import { LatencyBook, startDeliverySink } from './portals/delivery-sink';
import { figure, quantile, round } from './portals/figures';
import { parseOptions, type BenchOptions } from './portals/options';

const ROOT = path.resolve(__dirname, '..', '..');
/** Deals each active portal cycles through, so that no deal changes twice within a run. */
const DEALS_PER_PORTAL = 30;
/** How many installation POSTs are in flight at once. */
const INSTALLERS = 20;
/** What each installation must have bound before it counts as installed. */
const WANTED_BINDINGS = ['ONOFFLINEEVENT', 'ONCRMDEALUPDATE'];
/** The trigger's pollInterval (s): the package's default. */
const POLL_INTERVAL_S = 60;
/** A quiet spell after the installations, before the changes. */
const QUIET_MS = 10_000;

async function main(): Promise<void> {
    const options = parseOptions(process.argv.slice(2));
    const log = (line: string) => console.error(`[bench] ${line}`);
    const userDir = await fs.mkdtemp(path.join(os.tmpdir(), 'b24-portals-bench-'));
    const book = new LatencyBook();
    log(`starting ${options.portals} portals`);
    const farm = await startEmulatorFarm({ portals: options.portals, limits: 'on' });
    const sink = await startDeliverySink(book);
    const warnings: string[] = [];
    let nodeRed: NodeRedProcess | undefined;
    try {
        nodeRed = await NodeRedProcess.start({
            userDir,
            packageDir: ROOT,
            // --profile <dir>: a CPU profile of Node-RED, written when it stops.
            nodeBinary: options.profile ? await profilingNode(userDir, options.profile) : undefined,
            settings: { logging: { console: { level: 'info', metrics: false, audit: false } } },
            onLine: (line) => {
                if (/\[(warn|error)\]/.test(line)) warnings.push(line);
            },
        });
        await nodeRed.deploy(
            multiPortalFlow({
                oauthServer: farm.oauthServer,
                app: farm.app,
                publicUrl: nodeRed.url,
                sinkUrl: sink.url,
                maxPortals: Math.max(1000, options.portals),
                pollInterval: POLL_INTERVAL_S,
            }),
            { started: true },
        );
        await sleep(2000);
        const before = nodeRed.figures();

        log('installing');
        const install = await installAll(farm, installUrl(nodeRed.url), log);
        await sleep(2000);
        const installed = nodeRed.figures();
        const status503AtInstall = sum(farm.portals, (portal) => portal.control.counters().status503);
        // What 1,000 installations cost with nothing to deliver (timers, keep-alive sockets).
        await sleep(QUIET_MS);
        const quietCpuMs = nodeRed.figures().cpuMs - installed.cpuMs;

        const active = farm.portals.slice(0, options.active);
        const idle = farm.portals.slice(options.active);
        const deals = new Map(active.map((portal) => [portal.memberId, addDeals(portal)]));
        for (const portal of farm.portals) portal.control.resetCounters();
        const cpuStart = nodeRed.figures().cpuMs;
        const started = Date.now();
        log(`changing deals on ${active.length} portals for ${options.seconds} s`);
        const changes = await changeDeals(active, deals, book, options);
        const windowMs = Date.now() - started;
        const idleRequests = sum(idle, (portal) => portal.control.counters().requests);
        const idleByMethod = methods(idle);
        log('waiting for the last deliveries');
        const drainDeadline = Date.now() + 30_000;
        while (book.undelivered() > 0 && Date.now() < drainDeadline) await sleep(100);
        const cpuMs = nodeRed.figures().cpuMs - cpuStart;
        const end = nodeRed.figures();

        const perPortalMedian = [...book.latencies.values()].map((list) => quantile(list, 0.5));
        const all = [...book.latencies.values()].flat();
        const medianOfPortals = quantile(perPortalMedian, 0.5);
        const status503 =
            status503AtInstall + sum(farm.portals, (portal) => portal.control.counters().status503);
        const measuredIdleRate = (idleRequests / Math.max(1, idle.length)) * (3_600_000 / windowMs);
        const scheduledPolls = pollsOfAnIdleInstallation(POLL_INTERVAL_S);
        const summary = {
            date: new Date().toISOString(),
            machine: machine(),
            options,
            figures: {
                installSeconds: figure(install.seconds, 's', { max: 60 }),
                latencyP50Ms: figure(quantile(all, 0.5), 'ms'),
                latencyP95Ms: figure(quantile(all, 0.95), 'ms', { max: 2000 }),
                latencyMaxMs: figure(Math.max(...all), 'ms'),
                // The run is a minute; an hour is the larger of the window's rate and the polls
                // the trigger's own schedule makes in a fresh installation's first hour.
                idleRequestsPerPortalHour: figure(
                    Math.max(measuredIdleRate, scheduledPolls.firstHour),
                    'requests',
                    { max: 6 },
                ),
                status503: figure(status503, 'responses', { max: 0 }),
                slowestPortalVsMedian: figure(Math.max(...perPortalMedian) / medianOfPortals, 'x', {
                    max: 3,
                }),
                rssGrowthPerPortalKb: figure(
                    ((installed.rssMb - before.rssMb) * 1024) / options.portals,
                    'KB',
                    { max: 150 },
                ),
                cpuMsPer1000Events: figure((cpuMs / Math.max(1, book.delivered)) * 1000, 'ms'),
            },
            detail: {
                installPosts: install.posts,
                install429: install.refused429,
                changes,
                delivered: book.delivered,
                undelivered: book.undelivered(),
                unmatchedRows: book.unmatched,
                windowSeconds: round(windowMs / 1000),
                idleRequests,
                idleRequestsByMethod: idleByMethod,
                idleRequestsPerPortalHourInWindow: round(measuredIdleRate),
                idlePollsScheduled: scheduledPolls,
                activeRequests: sum(active, (portal) => portal.control.counters().requests),
                rssMb: {
                    beforeInstall: round(before.rssMb),
                    installed: round(installed.rssMb),
                    end: round(end.rssMb),
                },
                peakRssMb: round(end.peakRssMb),
                nodeRedCpuMs: round(cpuMs),
                quietCpuPercentOfCore: round((quietCpuMs / QUIET_MS) * 100),
                nodeRedWarnings: warnings.length,
                firstWarnings: warnings.slice(0, 5),
            },
        };
        console.log(JSON.stringify(summary, null, 2));
    } finally {
        await nodeRed?.stop();
        await sink.stop();
        await farm.stop();
        await fs.rm(userDir, { recursive: true, force: true });
    }
}

/**
 * Each portal POSTs its installation to the install URL, INSTALLERS at a time; one refused with
 * 429 (the install URL's rate limit) tries again shortly. Installed is: every portal has the
 * doorbell and the deal event bound by the application.
 */
async function installAll(
    farm: EmulatorFarm,
    url: string,
    log: (line: string) => void,
): Promise<{ seconds: number; posts: number; refused429: number }> {
    const started = Date.now();
    let next = 0;
    let posts = 0;
    let refused429 = 0;
    const worker = async () => {
        while (next < farm.portals.length) {
            const portal = farm.portals[next++];
            for (;;) {
                posts++;
                const { status } = await portal.install(url);
                if (status === 200) break;
                if (status !== 429) throw new Error(`installation on ${portal.domain} answered ${status}`);
                refused429++;
                await sleep(250);
            }
        }
    };
    await Promise.all(Array.from({ length: INSTALLERS }, worker));
    log(`${farm.portals.length} installation POSTs answered after ${round((Date.now() - started) / 1000)} s`);
    const bound = (portal: FarmPortal) => {
        const events = new Set(portal.control.bindings(farm.app.clientId).map((binding) => binding.event));
        return WANTED_BINDINGS.every((event) => events.has(event));
    };
    const deadline = Date.now() + 300_000;
    let waiting = farm.portals;
    while ((waiting = waiting.filter((portal) => !bound(portal))).length > 0) {
        if (Date.now() > deadline) throw new Error(`${waiting.length} portals are not bound after 300 s`);
        await sleep(100);
    }
    return { seconds: (Date.now() - started) / 1000, posts, refused429 };
}

/** Deals to change later, made before the run (their ONCRMDEALADD is not bound: no rows). */
function addDeals(portal: FarmPortal): number[] {
    return Array.from(
        { length: DEALS_PER_PORTAL },
        (_, i) =>
            portal.control.userChange({ entity: 'deal', action: 'add', fields: { title: `Bench ${i}` } }).id,
    );
}

/** Every active portal changes its next deal every `changeEvery` seconds, staggered; returns how many. */
async function changeDeals(
    active: FarmPortal[],
    deals: Map<string, number[]>,
    book: LatencyBook,
    options: BenchOptions,
): Promise<number> {
    const periodMs = options.changeEvery * 1000;
    const endAt = Date.now() + options.seconds * 1000;
    let changes = 0;
    await Promise.all(
        active.map(async (portal, index) => {
            const own = deals.get(portal.memberId) ?? [];
            await sleep((index / active.length) * periodMs);
            for (let turn = 0; Date.now() < endAt; turn++) {
                const id = own[turn % own.length];
                book.changed(portal.memberId, String(id));
                portal.control.userChange({
                    entity: 'deal',
                    action: 'update',
                    id,
                    fields: { title: `Bench change ${turn}` },
                });
                changes++;
                await sleep(periodMs);
            }
        }),
    );
    return changes;
}

/** A launcher of this Node.js with --cpu-prof (not allowed in NODE_OPTIONS); exec keeps the pid. */
async function profilingNode(userDir: string, profileDir: string): Promise<string> {
    const launcher = path.join(userDir, 'node-cpu-prof.sh');
    const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
    await fs.writeFile(
        launcher,
        `#!/bin/sh\nexec ${quote(process.execPath)} --cpu-prof --cpu-prof-dir=${quote(profileDir)} "$@"\n`,
        { mode: 0o755 },
    );
    return launcher;
}

function sum(portals: FarmPortal[], value: (portal: FarmPortal) => number): number {
    return portals.reduce((total, portal) => total + value(portal), 0);
}

function methods(portals: FarmPortal[]): Record<string, number> {
    const byMethod: Record<string, number> = {};
    for (const portal of portals) {
        for (const [method, count] of Object.entries(portal.control.counters().requestsByMethod))
            byMethod[method] = (byMethod[method] ?? 0) + count;
    }
    return byMethod;
}

function machine(): string {
    return `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
});

/**
 * The polls the trigger's schedule (the package's own PollBackoff, on a clock that jumps) makes of
 * a fresh installation with its doorbell bound that stays idle: in its first hour and its second.
 */
function pollsOfAnIdleInstallation(pollIntervalS: number): { firstHour: number; secondHour: number } {
    let time = 0;
    let pending: { at: number; fire: () => void } | undefined;
    const polls: number[] = [];
    const backoff = new PollBackoff(pollIntervalS * 1000, () => polls.push(time), undefined, {
        now: () => time,
        setTimeout: (fire, ms) => (pending = { at: time + ms, fire }),
        clearTimeout: () => (pending = undefined),
    });
    backoff.startIdle('idle');
    while (pending && pending.at <= 7_200_000) {
        const { at, fire } = pending;
        pending = undefined;
        time = at;
        fire();
    }
    backoff.close();
    return {
        firstHour: polls.filter((at) => at <= 3_600_000).length,
        secondHour: polls.filter((at) => at > 3_600_000).length,
    };
}
