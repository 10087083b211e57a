import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { NodeRedProcess } from '../../dist/demo/node-red-process';
import { PACKAGE_DIR } from '../helpers/node-red-runtime';
import type { FlowNode } from './scale-flow';

/** One Node-RED instance of the cluster, with its name and its own user directory. */
export interface Instance {
    name: string;
    runtime: NodeRedProcess;
    userDir: string;
    /** Set once it was SIGKILLed. */
    killed: boolean;
}

/**
 * N Node-RED child processes running the same flow, as replicas do: the same credential secret
 * (NodeRedProcess's default), each its own user directory and `B24_INSTANCE` name, and the
 * store's address in `REDIS_URL`.
 */
export class Cluster {
    private constructor(readonly instances: Instance[]) {}

    static async start(names: string[], env: Record<string, string>): Promise<Cluster> {
        const instances: Instance[] = [];
        const cluster = new Cluster(instances);
        try {
            for (const name of names) {
                const userDir = await fs.mkdtemp(path.join(os.tmpdir(), `b24-scale-${name}-`));
                const runtime = await NodeRedProcess.start({
                    userDir,
                    packageDir: PACKAGE_DIR,
                    env: { ...env, B24_INSTANCE: name },
                });
                instances.push({ name, runtime, userDir, killed: false });
            }
        } catch (err) {
            await cluster.stop();
            throw err;
        }
        return cluster;
    }

    async deploy(flow: FlowNode[]): Promise<void> {
        await Promise.all(this.live().map((i) => i.runtime.deploy(flow, { started: true })));
    }

    live(): Instance[] {
        return this.instances.filter((i) => !i.killed);
    }

    byName(name: string): Instance {
        const found = this.instances.find((i) => i.name === name);
        if (!found) throw new Error(`no instance ${name}`);
        return found;
    }

    async kill(name: string): Promise<void> {
        const instance = this.byName(name);
        instance.killed = true;
        await instance.runtime.kill();
    }

    /** Every line the instances logged that matches `pattern`. */
    lines(pattern: RegExp): string[] {
        return this.instances.flatMap((i) => i.runtime.lines.filter((line) => pattern.test(line)));
    }

    async stop(): Promise<void> {
        await Promise.all(
            this.instances.map(async (i) => {
                if (!i.killed) await i.runtime.stop().catch(() => undefined);
                await fs.rm(i.userDir, { recursive: true, force: true });
            }),
        );
    }
}
