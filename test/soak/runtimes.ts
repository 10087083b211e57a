/**
 * `--instances N` (issue 14): N Node-RED processes on one Redis, running the same flow through a
 * `bitrix24-store`, seen by the rest of the soak as one runtime: a kill strikes one instance
 * chosen by the dice, the figures add up, the admin API is the first instance's.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { RuntimeFigures, RuntimeOptions } from './runtime';
import { SoakRuntime } from './runtime';

export class SoakRuntimes {
    readonly userDirs: string[] = [];
    private readonly members: SoakRuntime[] = [];

    constructor(
        private readonly options: Omit<RuntimeOptions, 'userDir'>,
        private readonly count: number,
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
        for (let i = 0; i < this.count; i++) {
            const userDir = await fs.mkdtemp(path.join(os.tmpdir(), `b24-soak-${i}-`));
            this.userDirs.push(userDir);
            const member = new SoakRuntime({
                ...this.options,
                userDir,
                env: { ...this.options.env, B24_INSTANCE: `soak-${i}` },
                log: (line) => this.options.log(`[soak-${i}] ${line}`),
            });
            this.members.push(member);
            await member.start();
        }
    }

    async deploy(flows: Record<string, unknown>[]): Promise<void> {
        for (const member of this.members) await member.deploy(flows);
    }

    /** SIGKILLs one instance, chosen by the dice, and starts it again. */
    killAndRestart(downMs: number): Promise<void> {
        const member = this.members[Math.floor(this.random() * this.members.length)];
        return member.killAndRestart(downMs);
    }

    admin(method: 'GET' | 'POST', apiPath: string, headers: Record<string, string> = {}) {
        return this.first().admin(method, apiPath, headers);
    }

    async stop(): Promise<void> {
        await Promise.all(this.members.map((m) => m.stop()));
    }

    killNow(): void {
        for (const member of this.members) member.killNow();
    }

    private first(): SoakRuntime {
        const first = this.members[0];
        if (!first) throw new Error('no instance started');
        return first;
    }
}
