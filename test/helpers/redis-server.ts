import { spawn, type ChildProcess } from 'node:child_process';

import { Redis } from 'ioredis';

import { freePort } from '../../dist/demo/node-red-process';

const REDIS_SERVER = process.env.B24_REDIS_SERVER ?? '/usr/bin/redis-server';

/**
 * A real redis-server (Debian's package) on a free loopback port, with no persistence: a
 * restart comes back empty, as a Redis without disk does. Tests start their own and stop it.
 */
export class RedisServer {
    private child: ChildProcess | undefined;

    private constructor(readonly port: number) {}

    static async start(): Promise<RedisServer> {
        const server = new RedisServer(await freePort());
        await server.launch();
        return server;
    }

    get url(): string {
        return `redis://127.0.0.1:${this.port}`;
    }

    get running(): boolean {
        return this.child !== undefined;
    }

    /** Starts it again on the same port, empty. */
    async restart(): Promise<void> {
        if (!this.child) await this.launch();
    }

    /** SIGKILL, as a crash: clients see the connection drop. */
    async kill(): Promise<void> {
        await this.end('SIGKILL');
    }

    async stop(): Promise<void> {
        await this.end('SIGTERM');
    }

    /** A plain client for looking at what the store wrote; the caller quits it. */
    client(): Redis {
        return new Redis(this.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
    }

    /** The number of commands Redis ran since `resetStats` (INFO commandstats; this INFO excluded). */
    async commandCount(redis: Redis): Promise<number> {
        const info = await redis.info('commandstats');
        let calls = 0;
        for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
            if (match[1] !== 'info' && match[1] !== 'config|resetstat') calls += Number(match[2]);
        }
        return calls;
    }

    async resetStats(redis: Redis): Promise<void> {
        await redis.config('RESETSTAT');
    }

    private launch(): Promise<void> {
        const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
        const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        this.child = child;
        child.once('exit', () => {
            if (this.child === child) this.child = undefined;
        });
        return new Promise((resolve, reject) => {
            let output = '';
            const timer = setTimeout(() => {
                reject(new Error(`redis-server did not start within 10 s: ${output.slice(-500)}`));
            }, 10_000);
            const onData = (chunk: Buffer) => {
                output += chunk.toString();
                if (output.includes('Ready to accept connections')) {
                    clearTimeout(timer);
                    child.stdout?.off('data', onData);
                    child.stdout?.resume();
                    resolve();
                }
            };
            child.stdout?.on('data', onData);
            child.stderr?.resume();
            child.once('error', (err) => {
                clearTimeout(timer);
                reject(err);
            });
            child.once('exit', (code) => {
                clearTimeout(timer);
                reject(new Error(`redis-server exited (${code}) on start: ${output.slice(-500)}`));
            });
        });
    }

    private async end(signal: NodeJS.Signals): Promise<void> {
        const child = this.child;
        if (!child) return;
        this.child = undefined;
        if (child.exitCode !== null || child.signalCode !== null) return;
        await new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill(signal);
        });
    }
}
