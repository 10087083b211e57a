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

    private constructor(
        readonly port: number,
        private readonly password?: string,
    ) {}

    /** `password`: clients must AUTH with it (requirepass). */
    static async start(password?: string): Promise<RedisServer> {
        const server = new RedisServer(await freePort(), password);
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

    /** SIGSTOP: Redis hangs with its connections open, as a stalled server does; `resume` ends it. */
    pause(): void {
        this.child?.kill('SIGSTOP');
    }

    resume(): void {
        this.child?.kill('SIGCONT');
    }

    async stop(): Promise<void> {
        await this.end('SIGTERM');
    }

    /** A plain client for looking at what the store wrote; the caller quits it. */
    client(): Redis {
        return new Redis(this.url, { lazyConnect: false, maxRetriesPerRequest: 1, password: this.password });
    }

    /**
     * Watches the commands clients send (MONITOR), leaving out those a script runs inside Redis:
     * each one counted is one round trip. `stop` resolves the commands seen, by name.
     */
    async watchCommands(): Promise<{ stop: () => Promise<string[]> }> {
        const admin = this.client();
        const monitor = await admin.monitor();
        const seen: string[] = [];
        monitor.on('monitor', (_time: string, args: string[], source: string) => {
            if (source !== 'lua') seen.push(args[0].toLowerCase());
        });
        return {
            stop: async () => {
                // MONITOR output trails the replies a little: a PING of its own marks the end.
                await admin.ping();
                await new Promise((resolve) => setTimeout(resolve, 50));
                monitor.disconnect();
                admin.disconnect();
                return seen.filter((name) => name !== 'ping');
            },
        };
    }

    private launch(): Promise<void> {
        const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
        if (this.password) args.push('--requirepass', this.password);
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
            child.kill('SIGCONT');
        });
    }
}
