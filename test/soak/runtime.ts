/**
 * The Node-RED process of the soak over all its lives: started once, deployed once, killed with
 * SIGKILL and started again on the same user directory and port (its flows and credentials are
 * in that directory, so nothing is redeployed). Everything it prints and everything its editor
 * websocket (`/comms`: status badges, debug output, notifications) says goes to `onText`.
 */
import { createWriteStream, type WriteStream } from 'node:fs';

import WebSocket from 'ws';

import { freePort, NodeRedProcess } from '../../dist/demo/node-red-process';

export interface RuntimeOptions {
    userDir: string;
    packageDir: string;
    settings: Record<string, unknown>;
    onText: (source: 'log' | 'comms-status' | 'comms-debug' | 'comms-other', text: string) => void;
    /** Lines for the soak's progress output (stderr). */
    log: (line: string) => void;
    /** Every line Node-RED prints, over all lives, also goes to this file. */
    logFile?: string;
    /** Environment of the process (REDIS_URL, B24_INSTANCE with --instances). */
    env?: Record<string, string>;
    /** With --instances: the instance's name, put before each of its lines in `logFile` and `notable`. */
    name?: string;
}

/** Start-up warnings of every life that say nothing about the flow. */
const STARTUP_NOISE = /Projects disabled|Encrypted credentials not found/;

export interface RuntimeFigures {
    restarts: number;
    /** The highest peak RSS over all lives, MB. */
    peakRssMb: number;
    /** CPU time over all lives, user + system, ms. */
    cpuMs: number;
    logLines: number;
    warnings: number;
    errors: number;
    commsMessages: number;
}

export class SoakRuntime {
    readonly figures: RuntimeFigures = {
        restarts: 0,
        peakRssMb: 0,
        cpuMs: 0,
        logLines: 0,
        warnings: 0,
        errors: 0,
        commsMessages: 0,
    };
    /** The first few warning and error lines, for the report. */
    readonly notable: string[] = [];
    private process: NodeRedProcess | undefined;
    private socket: WebSocket | undefined;
    private port = 0;
    private sampler: NodeJS.Timeout | undefined;
    private lifeCpuMs = 0;
    private logStream: WriteStream | undefined;
    /** A start under way (stop waits for it, so that no child is left behind). */
    private starting: Promise<void> | undefined;

    constructor(private readonly options: RuntimeOptions) {}

    get url(): string {
        return `http://127.0.0.1:${this.port}`;
    }

    get pid(): number {
        return this.process?.pid ?? 0;
    }

    start(): Promise<void> {
        const starting = this.startNow();
        this.starting = starting;
        return starting.finally(() => {
            if (this.starting === starting) this.starting = undefined;
        });
    }

    private async startNow(): Promise<void> {
        this.port ||= await freePort();
        if (this.options.logFile) this.logStream ??= createWriteStream(this.options.logFile, { flags: 'a' });
        this.process = await NodeRedProcess.start({
            userDir: this.options.userDir,
            packageDir: this.options.packageDir,
            port: this.port,
            settings: this.options.settings,
            env: this.options.env,
            onLine: (line) => this.line(line),
        });
        this.lifeCpuMs = 0;
        this.sampler = setInterval(() => this.sample(), 1000);
        await this.connectComms();
    }

    async deploy(flows: Record<string, unknown>[]): Promise<void> {
        await this.current().deploy(flows);
    }

    /** SIGKILL, then a start on the same directory and port; resolves when it serves again. */
    async killAndRestart(downMs: number): Promise<void> {
        const life = this.current();
        this.sample();
        this.closeComms();
        clearInterval(this.sampler);
        this.figures.cpuMs += this.lifeCpuMs;
        this.process = undefined;
        await life.kill();
        this.options.log(`killed Node-RED (pid ${life.pid}) with SIGKILL`);
        await new Promise((resolve) => setTimeout(resolve, downMs));
        await this.start();
        this.figures.restarts++;
        this.options.log(`Node-RED started again (pid ${this.pid}) on the same user directory`);
    }

    /** A GET or POST to the admin API whose answer goes to the secret scan by the caller. */
    async admin(method: 'GET' | 'POST', path: string, headers: Record<string, string> = {}) {
        const response = await fetch(`${this.url}${path}`, { method, headers });
        return { status: response.status, text: await response.text() };
    }

    async stop(): Promise<void> {
        await this.starting?.catch(() => undefined);
        const life = this.process;
        if (!life) return;
        this.sample();
        clearInterval(this.sampler);
        this.closeComms();
        this.figures.cpuMs += this.lifeCpuMs;
        this.process = undefined;
        await life.stop();
        await new Promise<void>((resolve) => (this.logStream ? this.logStream.end(resolve) : resolve()));
        this.logStream = undefined;
    }

    /** Last resort on exit: SIGKILL by pid, synchronously. */
    killNow(): void {
        const pid = this.process?.pid;
        if (!pid) return;
        try {
            process.kill(pid, 'SIGKILL');
        } catch {
            // already gone
        }
    }

    private current(): NodeRedProcess {
        if (!this.process) throw new Error('Node-RED is not running');
        return this.process;
    }

    private sample(): void {
        if (!this.process) return;
        try {
            const figures = this.process.figures();
            this.figures.peakRssMb = Math.max(this.figures.peakRssMb, figures.peakRssMb);
            this.lifeCpuMs = figures.cpuMs;
        } catch {
            // the process is gone
        }
    }

    private line(line: string): void {
        this.figures.logLines++;
        this.options.onText('log', line);
        const named = this.options.name ? `[${this.options.name}] ${line}` : line;
        this.logStream?.write(`${named}\n`);
        const warning = /\[warn\]/.test(line);
        const error = /\[error\]/.test(line);
        if (warning) this.figures.warnings++;
        if (error) this.figures.errors++;
        if ((warning || error) && !STARTUP_NOISE.test(line) && this.notable.length < 40)
            this.notable.push(named);
    }

    private async connectComms(): Promise<void> {
        const socket = new WebSocket(`ws://127.0.0.1:${this.port}/comms`);
        this.socket = socket;
        await new Promise<void>((resolve, reject) => {
            socket.once('open', () => resolve());
            socket.once('error', reject);
        });
        socket.on('error', () => undefined);
        socket.on('message', (data: WebSocket.RawData) => {
            const text = rawText(data);
            let items: unknown;
            try {
                items = JSON.parse(text);
            } catch {
                this.options.onText('comms-other', text);
                return;
            }
            for (const item of Array.isArray(items) ? items : [items]) {
                const topic =
                    typeof item === 'object' && item !== null
                        ? String((item as { topic?: unknown }).topic)
                        : '';
                if (topic === 'hb') continue;
                this.figures.commsMessages++;
                const source = topic.startsWith('status/')
                    ? 'comms-status'
                    : topic === 'debug'
                      ? 'comms-debug'
                      : 'comms-other';
                this.options.onText(source, JSON.stringify(item));
            }
        });
        for (const topic of ['status/#', 'debug', 'notification/#'])
            socket.send(JSON.stringify({ subscribe: topic }));
    }

    private closeComms(): void {
        this.socket?.terminate();
        this.socket = undefined;
    }
}

function rawText(data: WebSocket.RawData): string {
    if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
    if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
    return data.toString('utf8');
}
