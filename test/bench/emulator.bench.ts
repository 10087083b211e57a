// Benchmark (not a timed test): how fast the emulator serves event.offline.get, so that it is
// never the bottleneck of the project's drain benchmark. Run: npm run bench:emulator
//
//  A. In-process emulator (startEmulator), client in the same process:
//     1. 1,000 event.offline.get calls of 50 rows each (clear=1) from a queue of 50,000 rows;
//     2. 1,000 reservations: get(limit=50, clear=0) then clear(process_id);
//     3. 100,000 rows drained by 4 parallel consumers with get(clear=0) + clear.
//  B. The b24-emulator command in a child process (its own core), 1,000 gets of 50 rows.
// Limits are off. Rows are raised by user changes through the control API. "busy" is the time
// the emulator itself spent on the REST requests (counters.restBusyMs); the rest of the wall
// time is the HTTP client and the kernel.
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { startEmulator } from '../../dist/emulator';

interface Target {
    portalUrl: string;
    token: string;
}

interface GetReply {
    result: { process_id: string | null; events: { ID: string }[] };
}

// node:http with a keep-alive agent: fetch() costs several ms per POST on Node 20 by itself and
// would measure the client, not the emulator.
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

function post<T>(url: string, payload: unknown): Promise<T> {
    const body = JSON.stringify(payload);
    return new Promise((resolve, reject) => {
        const request = http.request(
            url,
            {
                method: 'POST',
                agent,
                headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
            },
            (response) => {
                const chunks: Buffer[] = [];
                response.on('data', (chunk: Buffer) => chunks.push(chunk));
                response.on('end', () => {
                    const text = Buffer.concat(chunks).toString('utf8');
                    if (response.statusCode !== 200)
                        reject(new Error(`${url}: HTTP ${response.statusCode} ${text}`));
                    else resolve(JSON.parse(text) as T);
                });
            },
        );
        request.on('error', reject);
        request.end(body);
    });
}

function call<T>(target: Target, method: string, params: Record<string, unknown>): Promise<T> {
    return post<T>(`${target.portalUrl}/rest/${method}`, { ...params, auth: target.token });
}

async function busyMs(target: Target): Promise<number> {
    return new Promise((resolve, reject) => {
        http.get(`${target.portalUrl}/_emulator/counters`, { agent }, (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () =>
                resolve((JSON.parse(Buffer.concat(chunks).toString()) as { restBusyMs: number }).restBusyMs),
            );
        }).on('error', reject);
    });
}

/** Binds ONCRMDEALADD offline and adds `rows` deals as user changes, 1,000 per control request. */
async function fill(target: Target, rows: number): Promise<void> {
    await call(target, 'event.bind', { event: 'ONCRMDEALADD', event_type: 'offline' });
    const started = performance.now();
    for (let done = 0; done < rows; done += 1000) {
        const changes = Array.from({ length: Math.min(1000, rows - done) }, () => ({
            entity: 'deal',
            action: 'add',
        }));
        await post(`${target.portalUrl}/_emulator/changes`, changes);
    }
    console.log(
        `  (queued ${rows} rows through user changes in ${(performance.now() - started).toFixed(0)} ms)`,
    );
}

function report(label: string, wallMs: number, busy: number, calls: number, rows: number): void {
    console.log(
        [
            label.padEnd(60),
            `wall ${wallMs.toFixed(0).padStart(5)} ms`,
            `busy ${busy.toFixed(0).padStart(5)} ms`,
            `${((wallMs * 1000) / calls).toFixed(0).padStart(5)} us/call`,
            `${Math.round((rows / wallMs) * 1000)
                .toString()
                .padStart(6)} rows/s`,
        ].join('  '),
    );
}

function expect(rows: number, expected: number): void {
    if (rows !== expected) throw new Error(`expected ${expected} rows, got ${rows}`);
}

async function getCalls(target: Target, label: string): Promise<void> {
    const busyBefore = await busyMs(target);
    const started = performance.now();
    let rows = 0;
    for (let i = 0; i < 1000; i++)
        rows += (await call<GetReply>(target, 'event.offline.get', { limit: 50 })).result.events.length;
    report(label, performance.now() - started, (await busyMs(target)) - busyBefore, 1000, rows);
    expect(rows, 50_000);
}

async function reservations(target: Target): Promise<void> {
    const busyBefore = await busyMs(target);
    const started = performance.now();
    let rows = 0;
    for (let i = 0; i < 1000; i++) {
        const reply = await call<GetReply>(target, 'event.offline.get', { limit: 50, clear: 0 });
        rows += reply.result.events.length;
        await call(target, 'event.offline.clear', { process_id: reply.result.process_id });
    }
    report(
        'A2. 1,000 x (get(limit=50, clear=0) + clear(process_id))',
        performance.now() - started,
        (await busyMs(target)) - busyBefore,
        2000,
        rows,
    );
    expect(rows, 50_000);
}

async function drain(target: Target): Promise<void> {
    const busyBefore = await busyMs(target);
    const started = performance.now();
    let rows = 0;
    let calls = 0;
    const consumer = async () => {
        for (;;) {
            const reply = await call<GetReply>(target, 'event.offline.get', { limit: 50, clear: 0 });
            calls++;
            if (reply.result.events.length === 0) return;
            rows += reply.result.events.length;
            await call(target, 'event.offline.clear', { process_id: reply.result.process_id });
            calls++;
        }
    };
    await Promise.all([consumer(), consumer(), consumer(), consumer()]);
    report(
        'A3. 100,000 rows, 4 consumers (get clear=0 + clear)',
        performance.now() - started,
        (await busyMs(target)) - busyBefore,
        calls,
        rows,
    );
    expect(rows, 100_000);
}

async function inProcess(rows: number, run: (target: Target) => Promise<void>): Promise<void> {
    const emulator = await startEmulator({ limits: 'off' });
    try {
        const target = { portalUrl: emulator.portalUrl, token: emulator.app.accessToken };
        await fill(target, rows);
        await run(target);
    } finally {
        await emulator.stop();
    }
}

async function childProcess(): Promise<void> {
    const cli = path.resolve(__dirname, '../../dist/emulator/cli.js');
    const child = spawn(process.execPath, [cli, '--limits', 'off'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
        const line = await new Promise<string>((resolve) =>
            createInterface({ input: child.stdout }).once('line', resolve),
        );
        const info = JSON.parse(line) as { portalUrl: string; app: { accessToken: string } };
        const target = { portalUrl: info.portalUrl, token: info.app.accessToken };
        await fill(target, 50_000);
        await getCalls(target, 'B.  1,000 x event.offline.get(limit=50), emulator in a child');
    } finally {
        child.kill('SIGTERM');
    }
}

async function main(): Promise<void> {
    console.log(`node ${process.version}, emulator from dist/, limits off`);
    await inProcess(50_000, (target) => getCalls(target, 'A1. 1,000 x event.offline.get(limit=50, clear=1)'));
    await inProcess(50_000, reservations);
    await inProcess(100_000, drain);
    await childProcess();
}

main()
    .finally(() => agent.destroy())
    .catch((error: unknown) => {
        console.error(error);
        process.exit(1);
    });
