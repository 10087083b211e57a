/**
 * The Node-RED processes of a soak, seen by the rest of it as one runtime. Usually one process;
 * with `--instances N` (issue 14), N processes on one Redis running the same flow through a
 * `bitrix24-store`: a kill strikes one instance chosen by the dice, the figures add up, the
 * admin API is the first instance's.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Cleanup } from './cleanup';
import { log } from './console';
import type { RuntimeFigures, RuntimeOptions } from './runtime';
import { SoakRuntime } from './runtime';
import type { SecretScanner } from './secrets';
import type { Leftovers } from './steps';

export class SoakRuntimes {
    /** One per process, made by `start`; the caller removes them (or keeps them with --keep). */
    readonly userDirs: string[] = [];
    private readonly members: SoakRuntime[] = [];

    constructor(
        private readonly options: Omit<RuntimeOptions, 'userDir'>,
        private readonly count: number,
        private readonly dirPrefix: string,
        private readonly random: () => number,
    ) {}

    get url(): string {
        return this.first().url;
    }

    get figures(): RuntimeFigures {
        const all = this.members.map((m) => m.figures);
        const sum = (key: keyof RuntimeFigures) => all.reduce((total, f) => total + f[key], 0);
        return {
            restarts: sum('restarts'),
            peakRssMb: Math.max(0, ...all.map((f) => f.peakRssMb)),
            cpuMs: sum('cpuMs'),
            logLines: sum('logLines'),
            warnings: sum('warnings'),
            errors: sum('errors'),
            commsMessages: sum('commsMessages'),
        };
    }

    get notable(): string[] {
        return this.members.flatMap((m) => m.notable);
    }

    async start(): Promise<void> {
        const several = this.count > 1;
        for (let i = 0; i < this.count; i++) {
            const name = `soak-${i}`;
            const userDir = await fs.mkdtemp(
                path.join(os.tmpdir(), several ? `${this.dirPrefix}${i}-` : this.dirPrefix),
            );
            this.userDirs.push(userDir);
            const member = new SoakRuntime({
                ...this.options,
                userDir,
                name: several ? name : undefined,
                env: several ? { ...this.options.env, B24_INSTANCE: name } : this.options.env,
                log: several ? (line) => this.options.log(`[${name}] ${line}`) : this.options.log,
            });
            this.members.push(member);
            await member.start();
        }
    }

    async deploy(flows: Record<string, unknown>[]): Promise<void> {
        for (const member of this.members) await member.deploy(flows);
    }

    /** SIGKILLs one instance and starts it again; with one process no die is cast (a seed repeats old runs). */
    killAndRestart(downMs: number): Promise<void> {
        const index = this.members.length === 1 ? 0 : Math.floor(this.random() * this.members.length);
        return this.members[index].killAndRestart(downMs);
    }

    admin(method: 'GET' | 'POST', apiPath: string, headers: Record<string, string> = {}) {
        return this.first().admin(method, apiPath, headers);
    }

    async stop(): Promise<void> {
        await Promise.all(this.members.map((m) => m.stop()));
    }

    /** Last resort on exit: SIGKILL every process, synchronously. */
    killNow(): void {
        for (const member of this.members) member.killNow();
    }

    private first(): SoakRuntime {
        const first = this.members[0];
        if (!first) throw new Error('no Node-RED instance started');
        return first;
    }
}

/** Starts the soak's Node-RED process(es), their output watched by the scanner and cleaned up at the end. */
export async function startRuntimes(setup: {
    count: number;
    dirPrefix: string;
    env?: Record<string, string>;
    scanner: SecretScanner;
    random: () => number;
    logFile?: string;
    keep: boolean;
    cleanup: Cleanup;
    leftovers: Leftovers;
}): Promise<SoakRuntimes> {
    const runtime = new SoakRuntimes(
        {
            packageDir: path.resolve(__dirname, '../..'),
            settings: { logging: { console: { level: 'debug', metrics: false, audit: false } } },
            onText: (source, text) => setup.scanner.text(source, text),
            log,
            logFile: setup.logFile,
            env: setup.env,
        },
        setup.count,
        setup.dirPrefix,
        setup.random,
    );
    const { userDirs } = runtime;
    setup.leftovers.runtime = runtime;
    setup.leftovers.userDirs = userDirs;
    if (!setup.keep)
        setup.cleanup.add('user directories', async () => {
            await Promise.all(userDirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
        });
    setup.cleanup.add('Node-RED', () => runtime.stop());
    await runtime.start();
    return runtime;
}
