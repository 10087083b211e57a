import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import zlib from 'node:zlib';

import type { Bitrix24Client } from '../../dist/bitrix24';
import { type Bitrix24ClientOptions, type Bitrix24Error } from '../../dist/bitrix24';
import { backoff } from '../../dist/bitrix24/retry';
import { fail } from '../helpers/fake-portal';
import { useFakePortals, webhookAuth } from '../helpers/use-fake-portals';

const HOOK_SECRET = 'hostilehooksecret42';

/** A full garbage collection, so that memory figures show what is kept rather than what waits. */
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/** Figures the issue asks to see: how long a call was held and what it cost in memory. */
function report(name: string, startedAt: number, before: NodeJS.MemoryUsage): NodeJS.MemoryUsage {
    const elapsed = Date.now() - startedAt;
    const held = process.memoryUsage();
    collectGarbage();
    const kept = process.memoryUsage();
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    console.log(
        `      [figures] ${name}: ${elapsed} ms; rss ${mb(held.rss - before.rss)} at the end, ${mb(kept.rss - before.rss)} after GC; heap+external ${mb(held.heapUsed + held.external - before.heapUsed - before.external)} at the end, ${mb(kept.heapUsed + kept.external - before.heapUsed - before.external)} after GC`,
    );
    return kept;
}

/** Memory as the figures start from: after a full collection. */
function baseline(): NodeJS.MemoryUsage {
    collectGarbage();
    return process.memoryUsage();
}

/** `raw` of 200 MB of zeros, gzip-compressed as a stream so that the test never holds them. */
async function gzipBomb(megabytes: number): Promise<Buffer> {
    const gzip = zlib.createGzip({ level: 9 });
    const parts: Buffer[] = [];
    gzip.on('data', (chunk: Buffer) => parts.push(chunk));
    const done = new Promise((resolve) => gzip.on('end', resolve));
    const zeros = Buffer.alloc(1024 * 1024, 0x20);
    for (let i = 0; i < megabytes; i++) {
        if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once('drain', resolve));
    }
    gzip.end();
    await done;
    return Buffer.concat(parts);
}

async function rejection(promise: Promise<unknown>, guardMs: number): Promise<Bitrix24Error> {
    const guard = new Promise<'held'>((resolve) => setTimeout(() => resolve('held'), guardMs).unref());
    const outcome = await Promise.race([
        promise.then(
            () => 'resolved' as const,
            (err: unknown) => err,
        ),
        guard,
    ]);
    assert.notEqual(outcome, 'held', `the call was still held after ${guardMs} ms`);
    assert.notEqual(outcome, 'resolved', 'the call succeeded');
    return outcome as Bitrix24Error;
}

describe('client against a hostile server', () => {
    const { connect, portal } = useFakePortals('portal');

    function client(extra: Partial<Bitrix24ClientOptions> = {}): Bitrix24Client {
        return connect(portal(), webhookAuth(portal(), HOOK_SECRET), extra);
    }

    it('gives up on a reply that trickles one byte at a time once the request deadline passes', async () => {
        const timers: NodeJS.Timeout[] = [];
        portal().on('crm.deal.add', () => ({
            raw: (res) => {
                res.writeHead(200, { 'Content-Type': 'application/json' });
                const text = JSON.stringify({ result: { ID: '1', TITLE: 'x'.repeat(1000) } });
                let at = 0;
                const timer = setInterval(() => {
                    if (res.destroyed || at >= text.length) return clearInterval(timer);
                    res.write(text[at++]);
                }, 100);
                timers.push(timer);
            },
        }));
        const before = baseline();
        const startedAt = Date.now();
        const error = await rejection(
            client({ timeoutMs: 5_000, requestTimeoutMs: 1_000 }).call('crm.deal.add', {
                fields: { TITLE: 'x' },
            }),
            4_000,
        );
        report('trickling reply, 1 s request deadline', startedAt, before);
        for (const timer of timers) clearInterval(timer);
        assert.equal(error.code, 'TIMEOUT');
        assert.match(error.message, /not complete within 1000 ms/);
    });

    it('gives up on a call whose retries outlast the call time limit, saying so', async () => {
        portal().on('crm.deal.get', () => fail(500, 'INTERNAL_SERVER_ERROR', 'Internal error'));
        const startedAt = Date.now();
        const before = baseline();
        const error = await rejection(
            client({ callTimeoutMs: 1_200 }).call('crm.deal.get', { id: 1 }),
            5_000,
        );
        report('failing portal, 1.2 s call limit', startedAt, before);
        assert.equal(error.code, 'CALL_DEADLINE');
        // Without the limit the retries go on for over 3 s; the margin is for a busy machine.
        assert.ok(Date.now() - startedAt < 2_500, `held ${Date.now() - startedAt} ms`);
        assert.match(error.message, /retries included.*INTERNAL_SERVER_ERROR/);
    });

    it('refuses a small gzip reply that unpacks past the size cap, with memory staying flat', async function () {
        this.timeout(60_000);
        const bomb = await gzipBomb(200);
        portal().on('crm.deal.list', () => ({
            raw: (res) => {
                res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
                res.end(bomb);
            },
        }));
        const before = baseline();
        const bombed = client();
        // Five in a row: what one costs (at most the 32 MiB cap, held briefly) is not kept.
        for (let i = 1; i <= 5; i++) {
            const startedAt = Date.now();
            const error = await rejection(bombed.call('crm.deal.list'), 30_000);
            report(
                `gzip bomb ${i} of ${(bomb.length / 1024).toFixed(0)} KB (200 MB unpacked)`,
                startedAt,
                before,
            );
            assert.equal(error.code, 'RESPONSE_TOO_LARGE');
            assert.match(error.message, /decompression bomb/);
        }
        const kept = baseline();
        assert.ok(
            kept.heapUsed + kept.external - before.heapUsed - before.external < 10 * 1024 * 1024,
            'five bombs left 10 MB or more behind',
        );
    });

    it('refuses an ordinary gzip reply that unpacks past the size cap', async () => {
        const rows = Array.from({ length: 30_000 }, (_, i) => ({
            ID: String(i),
            TITLE: `deal ${(i * 2654435761) % 4294967296}`,
            OPPORTUNITY: String((i * 7919) % 100000),
        }));
        const packed = zlib.gzipSync(JSON.stringify({ result: rows }));
        portal().on('crm.deal.list', () => ({
            raw: (res) => {
                res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
                res.end(packed);
            },
        }));
        const error = await rejection(client({ maxReplyBytes: 1024 * 1024 }).call('crm.deal.list'), 10_000);
        assert.ok(packed.length < 1024 * 1024, `the test reply packs to ${packed.length} bytes`);
        assert.equal(error.code, 'RESPONSE_TOO_LARGE');
        assert.match(error.message, /1048576 bytes once decompressed/);
    });

    it('refuses a plain reply larger than the size cap as it arrives', async () => {
        portal().on('crm.deal.list', () => ({
            raw: (res) => {
                res.writeHead(200, { 'Content-Type': 'application/json' });
                res.write('{"result":"');
                // Endless: the client must stop reading, not the server stop writing.
                const chunk = 'x'.repeat(64 * 1024);
                const pump = () => {
                    while (!res.destroyed && res.write(chunk));
                    if (!res.destroyed) res.once('drain', pump);
                };
                pump();
            },
        }));
        const before = baseline();
        const startedAt = Date.now();
        const error = await rejection(client({ maxReplyBytes: 1024 * 1024 }).call('crm.deal.list'), 10_000);
        report('endless plain reply, 1 MB cap', startedAt, before);
        assert.equal(error.code, 'RESPONSE_TOO_LARGE');
        assert.match(error.message, /1048576 bytes on the wire/);
    });

    it('says that the connection broke in the middle of a reply, not that the portal was unreachable', async () => {
        portal().on('crm.deal.add', () => ({
            raw: (res) => {
                res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '400' });
                res.write('{"result":');
                setTimeout(() => res.socket?.destroy(), 50);
            },
        }));
        const error = await rejection(client().call('crm.deal.add', { fields: { TITLE: 'x' } }), 5_000);
        assert.equal(error.code, 'CONNECTION_LOST');
        assert.match(error.message, /broke while the portal was answering/);
        assert.doesNotMatch(error.message, /could not be reached/);
        assert.equal(
            portal().calls('crm.deal.add').length,
            1,
            'a write whose fate is unknown is not sent again',
        );
    });

    it('reports a reply that stops half-way as a timeout once the socket is silent for timeoutMs', async () => {
        portal().on('crm.deal.add', () => ({
            raw: (res) => {
                res.writeHead(200, { 'Content-Type': 'application/json' });
                res.write('{"result":');
            },
        }));
        const startedAt = Date.now();
        const error = await rejection(
            client({ timeoutMs: 500 }).call('crm.deal.add', { fields: { TITLE: 'x' } }),
            3_000,
        );
        assert.equal(error.code, 'TIMEOUT');
        assert.ok(Date.now() - startedAt < 2_500, `held ${Date.now() - startedAt} ms`);
    });

    it('keeps a jittered back-off within its stated cap', () => {
        const waits = Array.from({ length: 200 }, () => backoff(500, 10, 15_000));
        assert.ok(
            Math.max(...waits) <= 15_000,
            `a wait of ${Math.max(...waits)} ms exceeds the 15000 ms cap`,
        );
        assert.ok(Math.min(...waits) < 15_000, 'the waits are not jittered');
    });

    it('still reads an ordinary gzip reply', async () => {
        portal().on('crm.deal.get', () => ({
            raw: (res) => {
                res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
                res.end(zlib.gzipSync(JSON.stringify({ result: { ID: '7' } })));
            },
        }));
        const { result } = await client().call<{ ID: string }>('crm.deal.get', { id: 7 });
        assert.equal(result.ID, '7');
    });
});
