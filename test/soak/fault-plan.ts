import { sleep } from '../../dist/demo/wait';
import type { EmulatorControl } from '../../dist/emulator';
import { log } from './console';
import type { FaultKind, Options } from './options';
import type { Sink } from './sink';

/** Fault strengths: shares of requests, and how often the timed faults strike. */
export const RATES = {
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
    /** How long the sink holds a request during a stall; over the flow's delivery timeout the flow gives up. */
    stallHoldMs: [1000, 6000],
    killDownMs: [0, 2000],
    /** With --instances and the kill fault: Redis is SIGKILLed this often and comes back empty after a pause. */
    redisRestartEvery: [15, 30],
    redisDownMs: [2000, 5000],
} as const;

/** What the kills strike: the soak's Node-RED (one process, or one of the instances of --instances). */
export interface KillableRuntime {
    killAndRestart(downMs: number): Promise<void>;
}

/** The shared store's server, for the Redis restarts of --instances. */
export interface RestartableRedis {
    kill(): Promise<void>;
    restart(): Promise<void>;
}
/**
 * The timed faults and the kills, while the changes run. With several portals (an application
 * installed on many), the share faults run on every portal and each timed strike hits one portal
 * drawn at random.
 */
export class FaultPlan {
    readonly struck = { tokenExpiries: 0, bursts: 0, burst503Injected: 0, stalls: 0, redisRestarts: 0 };
    private readonly timers = new Set<NodeJS.Timeout>();
    private stopped = false;
    private kills: Promise<void> = Promise.resolve();
    private redisDown: Promise<void> = Promise.resolve();
    private killError: Error | undefined;

    constructor(
        private readonly options: Options,
        private readonly portals: readonly EmulatorControl[],
        private readonly sink: Sink,
        private readonly runtime: KillableRuntime,
        private readonly random: () => number,
        private readonly redis?: RestartableRedis,
    ) {}

    start(): void {
        const { faults } = this.options;
        const on = (kind: FaultKind) => faults.has(kind);
        for (const portal of this.portals) {
            portal.injectFaults({
                errorRate: on('portal-500') ? RATES.portal500 : 0,
                dropRate: on('portal-drop') ? RATES.portalDrop : 0,
                lostReplyRate: on('portal-lost') ? RATES.portalLost : 0,
            });
        }
        if (on('sink-fail')) this.sink.faults.failRate = RATES.sinkFail;
        // Halfway through, a share fault that has not struck yet (a quiet run has few requests)
        // is made three times as likely, so that every fault that is on strikes at least once.
        const halfway = setTimeout(
            () => {
                this.timers.delete(halfway);
                for (const portal of this.portals) {
                    const counters = portal.counters();
                    const current = portal.state().faults;
                    portal.injectFaults({
                        errorRate: counters.injected500 === 0 ? current.errorRate * 3 : current.errorRate,
                        dropRate: counters.droppedConnections === 0 ? current.dropRate * 3 : current.dropRate,
                        lostReplyRate:
                            counters.lostReplies === 0 ? current.lostReplyRate * 3 : current.lostReplyRate,
                    });
                }
                if (this.sink.counters.failed === 0) this.sink.faults.failRate *= 3;
            },
            (this.options.seconds * 1000) / 2,
        );
        this.timers.add(halfway);
        if (on('token-expiry')) {
            this.every(RATES.tokenExpiryEvery, () => {
                if (this.somePortal().expireAccessTokens() > 0) this.struck.tokenExpiries++;
            });
        }
        if (on('portal-503')) {
            this.every(RATES.burst503Every, () => {
                const size = Math.round(this.uniform(RATES.burst503Size));
                const portal = this.somePortal();
                const left = portal.state().faults.burst503;
                portal.injectFaults({ burst503: left + size });
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
        const redis = this.redis;
        if (redis && on('kill')) {
            this.every(RATES.redisRestartEvery, () => {
                this.redisDown = this.redisDown
                    .then(() => this.restartRedis(redis))
                    .catch((err: unknown) => {
                        this.killError = err instanceof Error ? err : new Error(String(err));
                        log(`a restart of redis-server failed: ${this.killError.message}`);
                    });
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
        let unanswered = 0;
        for (const portal of this.portals) {
            unanswered += portal.state().faults.burst503;
            portal.clearFaults();
        }
        this.sink.calm();
        await this.kills;
        await this.redisDown;
        if (this.killError) throw this.killError;
        return unanswered;
    }

    /** SIGKILL, a pause, and a start of a redis-server that has forgotten everything. */
    private async restartRedis(redis: RestartableRedis): Promise<void> {
        await redis.kill();
        log('killed redis-server (SIGKILL); it comes back empty');
        await sleep(this.uniform(RATES.redisDownMs));
        await redis.restart();
        this.struck.redisRestarts++;
        log('redis-server started again');
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

    /** The portal a timed strike hits; with one portal no die is cast (a seed repeats old runs). */
    private somePortal(): EmulatorControl {
        if (this.portals.length === 1) return this.portals[0];
        return this.portals[Math.floor(this.random() * this.portals.length)];
    }

    private uniform([low, high]: readonly [number, number]): number {
        return low + this.random() * (high - low);
    }
}
