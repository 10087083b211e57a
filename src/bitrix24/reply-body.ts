import type { Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';

export interface BodyLimits {
    /** The `Content-Encoding` of the reply. */
    encoding: string;
    /** Largest body, counted on the wire and again once decompressed. */
    maxBytes: number;
    /** Longest silence between two chunks, in ms. */
    idleMs: number;
    /** Aborts the read (the request's deadline, or the client closing). */
    signal: AbortSignal;
}

/**
 * Past this much output, a body that unpacks to more than RATIO times the compressed bytes used
 * is a decompression bomb: REST JSON packs 5 to about 150 times (many empty fields), padding
 * near deflate's limit of about 1000. Refusing it early keeps memory flat instead of holding up
 * to `maxBytes` of padding.
 */
const BOMB_CHECK_BYTES = 4 * 1024 * 1024;
const BOMB_RATIO = 500;

/** Why a reply could not be read whole: too large, or cut off by the other side. */
export class ReplyCutError extends Error {
    constructor(
        message: string,
        readonly tooLarge: boolean,
    ) {
        super(message);
    }
}

/**
 * Reads a reply body as text, stopping as soon as it passes the size cap, compressed or not: a
 * small gzip bomb is refused after `maxBytes` of output, never held whole in memory. A body that
 * ends before it is complete (a reset) says so.
 */
export function readCappedBody(raw: Readable, limits: BodyLimits): Promise<string> {
    return new Promise((resolve, reject) => {
        const inflate = decoder(limits.encoding);
        const out = inflate ?? raw;
        const chunks: Buffer[] = [];
        let wireBytes = 0;
        let bodyBytes = 0;
        let done = false;
        let idle: NodeJS.Timeout | undefined;

        const finish = (error?: Error) => {
            if (done) return;
            done = true;
            clearTimeout(idle);
            limits.signal.removeEventListener('abort', onAbort);
            if (error) {
                chunks.length = 0;
                raw.destroy();
                inflate?.destroy();
                reject(error);
            } else {
                resolve(Buffer.concat(chunks).toString('utf8'));
            }
        };
        const tooLarge = (what: string) =>
            finish(new ReplyCutError(`the reply passed ${limits.maxBytes} bytes ${what}`, true));
        const onAbort = () => finish(abortError());
        const wake = () => {
            clearTimeout(idle);
            idle = setTimeout(
                () => finish(timeoutError(`no data for ${limits.idleMs} ms in the middle of the reply`)),
                limits.idleMs,
            );
        };

        if (limits.signal.aborted) return finish(abortError());
        limits.signal.addEventListener('abort', onAbort, { once: true });
        wake();
        raw.on('data', (chunk: Buffer) => {
            wake();
            wireBytes += chunk.length;
            if (wireBytes > limits.maxBytes) tooLarge('on the wire');
        });
        raw.on('error', (err) => {
            // axios ends a silent socket by destroying the reply with its own timeout error.
            const code = (err as { code?: unknown }).code;
            finish(code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? err : cutError(err));
        });
        raw.on('aborted', () => finish(cutError()));
        raw.on('close', () => {
            // A reply that closes before its end, without an error event, was cut as well.
            if (!raw.readableEnded) finish(cutError());
        });
        if (inflate) {
            inflate.on('error', (err) =>
                finish(new ReplyCutError(`the compressed reply is broken (${err.message})`, false)),
            );
            raw.pipe(inflate);
        }
        out.on('data', (chunk: Buffer) => {
            bodyBytes += chunk.length;
            if (bodyBytes > limits.maxBytes) tooLarge(inflate ? 'once decompressed' : 'on the wire');
            else if (inflate && bodyBytes > BOMB_CHECK_BYTES && bodyBytes > BOMB_RATIO * consumed(inflate)) {
                finish(
                    new ReplyCutError(
                        `the reply unpacks to more than ${BOMB_RATIO} times its compressed size, as a decompression bomb does`,
                        true,
                    ),
                );
            } else chunks.push(chunk);
        });
        out.on('end', () => finish());
    });
}

/** Compressed bytes the decoder has used so far (not those waiting in its buffer). */
function consumed(inflate: Transform): number {
    return (inflate as Transform & { bytesWritten?: number }).bytesWritten ?? Infinity;
}

function decoder(encoding: string): Transform | undefined {
    switch (encoding.trim().toLowerCase()) {
        case 'gzip':
        case 'x-gzip':
            return zlib.createGunzip();
        case 'deflate':
            return zlib.createInflate();
        case 'br':
            return zlib.createBrotliDecompress();
        default:
            return undefined;
    }
}

function cutError(err?: Error): ReplyCutError {
    const code = (err as { code?: unknown } | undefined)?.code;
    return new ReplyCutError(
        `the connection was closed in the middle of the reply${typeof code === 'string' ? ` (${code})` : ''}`,
        false,
    );
}

function abortError(): Error {
    return Object.assign(new Error('aborted'), { code: 'ERR_CANCELED' });
}

function timeoutError(message: string): Error {
    return Object.assign(new Error(message), { code: 'ECONNABORTED' });
}
