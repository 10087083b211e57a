import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import { listenLocally } from './local-server';
import { until } from './wait';

export interface NodeRedProcessOptions {
    /** The user directory; created when missing. */
    userDir: string;
    /** This package's folder, linked into the user directory's node_modules; omit when it is installed there. */
    packageDir?: string;
    /** 0 (default) picks a free port. */
    port?: number;
    /** Extra settings.js entries (JSON-serialisable), e.g. adminAuth or credentialSecret. */
    settings?: Record<string, unknown>;
    /** The node-red package folder; default the one this package depends on. */
    nodeRedDir?: string;
    /** The Node.js binary; default the running one. */
    nodeBinary?: string;
    env?: Record<string, string>;
    /** Every line Node-RED prints. */
    onLine?: (line: string) => void;
}

export interface ProcessFigures {
    /** CPU time used so far, user + system, in ms. */
    cpuMs: number;
    /** Peak resident set size so far, in MB. */
    peakRssMb: number;
    rssMb: number;
}

/**
 * A real Node-RED runtime in a child process with this package loaded: the demo, the soak test,
 * the benchmark and the browser test run their flows in it. Flows go in through the admin API.
 */
export class NodeRedProcess {
    readonly lines: string[] = [];
    /** Settles with the exit code (null after a signal) when the process has exited. */
    readonly exited: Promise<number | null>;

    private constructor(
        private readonly child: ChildProcess,
        readonly url: string,
        readonly userDir: string,
    ) {
        this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    }

    static async start(options: NodeRedProcessOptions): Promise<NodeRedProcess> {
        const port = options.port || (await freePort());
        const userDir = path.resolve(options.userDir);
        await fs.mkdir(userDir, { recursive: true });
        if (options.packageDir) await linkPackage(userDir, path.resolve(options.packageDir));
        const settings = {
            uiPort: port,
            uiHost: '127.0.0.1',
            flowFile: 'flows.json',
            credentialSecret: 'b24sync-local-credential-secret',
            editorTheme: { tours: false, projects: { enabled: false } },
            diagnostics: { enabled: false },
            telemetry: { enabled: false },
            logging: { console: { level: 'info', metrics: false, audit: false } },
            ...options.settings,
        };
        await fs.writeFile(
            path.join(userDir, 'settings.js'),
            `module.exports = ${JSON.stringify(settings, null, 2)};\n`,
        );
        const nodeRedDir = options.nodeRedDir ?? path.dirname(require.resolve('node-red/package.json'));
        const child = spawn(
            options.nodeBinary ?? process.execPath,
            [
                path.join(nodeRedDir, 'red.js'),
                '--userDir',
                userDir,
                '--settings',
                path.join(userDir, 'settings.js'),
            ],
            { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
        );
        const runtime = new NodeRedProcess(child, `http://127.0.0.1:${port}`, userDir);
        const onData = (chunk: Buffer) => {
            for (const line of chunk.toString('utf8').split('\n')) {
                if (!line) continue;
                runtime.lines.push(line);
                options.onLine?.(line);
            }
        };
        child.stdout?.on('data', onData);
        child.stderr?.on('data', onData);
        try {
            await runtime.waitUntilReady(logsInfo(settings.logging));
        } catch (error) {
            await runtime.kill();
            throw error;
        }
        return runtime;
    }

    get pid(): number {
        return this.child.pid ?? 0;
    }

    /**
     * Sets the flows as the editor's Deploy button does: `type` full (default) restarts every
     * node, `nodes` only the changed ones, `flows` the tabs that changed. Credentials go in each
     * node's `credentials`. `token` is an editor token, for a runtime with adminAuth. The deploy
     * answers once the old nodes have closed; with `started`, it resolves once the runtime has
     * started the new flows.
     */
    async deploy(
        flows: Record<string, unknown>[],
        options: { token?: string; started?: boolean; type?: 'full' | 'nodes' | 'flows' } = {},
    ): Promise<void> {
        const from = this.lines.length;
        const response = await fetch(`${this.url}/flows`, {
            method: 'POST',
            headers: {
                ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
                'Content-Type': 'application/json',
                'Node-RED-Deployment-Type': options.type ?? 'full',
                'Node-RED-API-Version': 'v2',
            },
            body: JSON.stringify({ flows }),
        });
        if (!response.ok) throw new Error(`deploy failed: HTTP ${response.status} ${await response.text()}`);
        if (!options.started) return;
        // A deploy stops the running flows (or the modified ones) first, so the 'Started ...' after
        // 'Stopped ...' is this deploy's: the start-up's own line may still be on its way through the pipe.
        const started = () => {
            const lines = this.lines.slice(from);
            const stopped = lines.findIndex((line) => /Stopped (flows|modified)/.test(line));
            return (
                stopped !== -1 && lines.slice(stopped).some((line) => /Started (flows|modified)/.test(line))
            );
        };
        // Closing nodes may hold the stop for seconds (a portal waits for its users' last calls).
        await until(started, 60_000, 'the flows to start');
    }

    /** The node types the runtime has loaded (`GET /nodes`), each with its module. */
    async nodeTypes(): Promise<{ type: string; module: string; enabled: boolean; err?: string }[]> {
        const response = await fetch(`${this.url}/nodes`, { headers: { Accept: 'application/json' } });
        if (!response.ok) throw new Error(`GET /nodes failed: HTTP ${response.status}`);
        const sets = (await response.json()) as {
            module: string;
            types: string[];
            enabled: boolean;
            err?: string;
        }[];
        return sets.flatMap((set) =>
            set.types.map((type) => ({ type, module: set.module, enabled: set.enabled, err: set.err })),
        );
    }

    /** Presses an inject node's button. */
    async inject(nodeId: string): Promise<void> {
        const response = await fetch(`${this.url}/inject/${nodeId}`, { method: 'POST' });
        if (!response.ok) throw new Error(`inject ${nodeId} failed: HTTP ${response.status}`);
    }

    /** CPU time and memory of the runtime process, read from /proc (Linux). */
    figures(): ProcessFigures {
        const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const ticks = Number(fields[11]) + Number(fields[12]);
        const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
        const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
        return { cpuMs: (ticks * 1000) / 100, peakRssMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
    }

    /** Kills the process at once (SIGKILL: no close handlers run). */
    async kill(): Promise<void> {
        this.child.kill('SIGKILL');
        await this.exited;
    }

    async stop(): Promise<void> {
        if (this.child.exitCode !== null || this.child.signalCode !== null) return;
        this.child.kill('SIGTERM');
        const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
        await this.exited;
        clearTimeout(timer);
    }

    /**
     * Ready is: the admin API answers and the runtime has started the flows it loaded at start-up.
     * The server listens before that start (@node-red/runtime lib/index.js does not wait for the
     * flows): with no credential secret in the settings, the start first writes the secret it
     * generates to .config.runtime.json (with an fsync, slow on a busy disk), and a deploy made in
     * that gap is stopped and started again when the start-up goes on to start the saved flows.
     */
    private async waitUntilReady(watchFlowStart: boolean): Promise<void> {
        const deadline = Date.now() + 60_000;
        let listening = false;
        while (Date.now() < deadline) {
            if (this.child.exitCode !== null) {
                throw new Error(
                    `Node-RED exited with code ${this.child.exitCode}:\n${this.lines.slice(-20).join('\n')}`,
                );
            }
            listening ||= await this.adminApiAnswers();
            if (listening && (!watchFlowStart || this.lines.some(startUpSettled))) return;
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        throw new Error(`Node-RED did not start within 60 s:\n${this.lines.slice(-20).join('\n')}`);
    }

    private async adminApiAnswers(): Promise<boolean> {
        try {
            const response = await fetch(`${this.url}/settings`);
            // With adminAuth on, the admin API answers 401 once it is up.
            return response.ok || response.status === 401;
        } catch {
            return false; // not listening yet
        }
    }
}

/** The info lines that end the start-up: the flows started, or they wait for node types that are missing. */
function startUpSettled(line: string): boolean {
    return / - \[info\] (Started flows|Waiting for missing types)/.test(line);
}

/** Whether the runtime's console log shows info lines, the ones that tell that the flows started. */
function logsInfo(logging: unknown): boolean {
    const level = (logging as { console?: { level?: unknown } } | undefined)?.console?.level;
    return level === undefined || (typeof level === 'string' && ['info', 'debug', 'trace'].includes(level));
}

/** `<userDir>/node_modules/@b24sync/node-red-bitrix24` -> this package, so Node-RED loads it. */
async function linkPackage(userDir: string, packageDir: string): Promise<void> {
    const { name } = JSON.parse(await fs.readFile(path.join(packageDir, 'package.json'), 'utf8')) as {
        name: string;
    };
    const link = path.join(userDir, 'node_modules', ...name.split('/'));
    await fs.mkdir(path.dirname(link), { recursive: true });
    await fs.rm(link, { recursive: true, force: true });
    await fs.symlink(packageDir, link, 'dir');
}

/** A port that was free a moment ago (Node-RED is told its port, it cannot be given a server). */
export async function freePort(): Promise<number> {
    const probe = await listenLocally(http.createServer());
    await probe.close();
    return probe.port;
}
