/**
 * The external system of the soak: a local HTTP server that records every delivery it accepts,
 * and can refuse a share of them (500) or hold them for seconds (a stall). It also takes the
 * error msgs of the flow's catch node. Every request (headers and body) goes to the secret scan.
 */
import http from 'node:http';

import { listenLocally } from '../../dist/demo/local-server';

import { CATCH_PATH, DELIVER_PATH, TAP_PATH } from './flow';

/** What the sink learns from one accepted delivery. */
export interface Delivery {
    /** msg.portal.memberId of an application installed on many portals; '' for one portal. */
    memberId: string;
    objectId: number;
    eventName: string;
    /** The enriched object's title (unique per change), or null for a tombstone. */
    title: string | null;
    deleted: boolean;
    /** The queue row: its ID, MESSAGE_ID and TIMESTAMP_X. */
    rowId: string;
    messageId: string;
    timestamp: string;
    redelivery: number;
}

export interface SinkFaults {
    /** Share (0..1) of deliveries refused with 500. */
    failRate: number;
}

export interface SinkCounters {
    requests: number;
    accepted: number;
    /** Refused with 500 (sink-fail). */
    failed: number;
    /** Held during a stall window (sink-stall). */
    stalled: number;
    /** Held so long that the flow gave up (its request timed out) before the answer. */
    abandoned: number;
    /** Bodies the sink could not read as a delivery (a bug in the flow if not zero). */
    malformed: number;
    caught: number;
    /** Msgs from the other ends of the flow (tap). */
    tapped: number;
}

export interface Sink {
    url: string;
    counters: SinkCounters;
    faults: SinkFaults;
    /**
     * Holds every delivery that arrives in the next `windowMs` for `holdMs()` each; a window that
     * no delivery reached (the flow paused, as while Redis is away with --instances) holds the next one.
     */
    stall(windowMs: number, holdMs: () => number): void;
    calm(): void;
    /** Deliveries the sink has not answered yet. */
    inFlight(): number;
    /** Unix ms of the last delivery that arrived or was answered. */
    lastDeliveryAt(): number;
    /** The error msgs of the catch node: error.message and the source node type. */
    errors: { source: string; message: string }[];
    close(): Promise<void>;
}

export interface SinkOptions {
    random: () => number;
    onDelivery: (delivery: Delivery) => void;
    /** Every request as text: method, path, headers and body. */
    onText: (source: 'sink-deliver' | 'sink-catch' | 'sink-tap', text: string) => void;
}

export async function startSink(options: SinkOptions): Promise<Sink> {
    const counters: SinkCounters = {
        requests: 0,
        accepted: 0,
        failed: 0,
        stalled: 0,
        abandoned: 0,
        malformed: 0,
        caught: 0,
        tapped: 0,
    };
    const faults: SinkFaults = { failRate: 0 };
    const errors: { source: string; message: string }[] = [];
    let stallUntil = 0;
    /** A stall window that has held no delivery yet: it stays open for the next one (see `stall`). */
    let stallPending = false;
    let stallHold: () => number = () => 0;
    let inFlight = 0;
    let lastAt = 0;

    const server = http.createServer((req, res) => {
        counters.requests++;
        const path = (req.url ?? '').split('?')[0];
        if (path === DELIVER_PATH) {
            lastAt = Date.now();
            inFlight++;
            let settled = false;
            const settle = () => {
                if (settled) return;
                settled = true;
                inFlight--;
                lastAt = Date.now();
            };
            res.on('close', settle);
            req.on('error', settle);
        }
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            const source =
                path === CATCH_PATH ? 'sink-catch' : path === TAP_PATH ? 'sink-tap' : 'sink-deliver';
            options.onText(source, `${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n${body}`);
            if (path === CATCH_PATH) {
                counters.caught++;
                errors.push(caughtError(body));
                res.writeHead(200).end('ok');
                return;
            }
            if (path === TAP_PATH) {
                counters.tapped++;
                res.writeHead(200).end('ok');
                return;
            }
            if (path !== DELIVER_PATH) {
                res.writeHead(404).end();
                return;
            }
            const delivery = parseDelivery(body);
            if (!delivery) {
                counters.malformed++;
                res.writeHead(400).end('not a delivery');
                return;
            }
            if (faults.failRate > 0 && options.random() < faults.failRate) {
                counters.failed++;
                res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"sink-fail"}');
                return;
            }
            const hold = Date.now() < stallUntil || stallPending ? stallHold() : 0;
            if (hold > 0) {
                counters.stalled++;
                stallPending = false;
            }
            setTimeout(() => {
                // The flow gave up waiting: not accepted (the flow retries it through the error queue).
                if (req.socket.destroyed || res.destroyed) {
                    counters.abandoned++;
                    return;
                }
                // Recorded before the answer leaves, so that nothing the flow saw accepted is missed.
                counters.accepted++;
                options.onDelivery(delivery);
                res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
            }, hold);
        });
    });
    server.keepAliveTimeout = 1000;
    const local = await listenLocally(server);

    return {
        url: local.url,
        counters,
        faults,
        errors,
        stall: (windowMs, holdMs) => {
            stallUntil = Date.now() + windowMs;
            stallPending = true;
            stallHold = holdMs;
        },
        calm: () => {
            faults.failRate = 0;
            stallUntil = 0;
            stallPending = false;
        },
        inFlight: () => inFlight,
        lastDeliveryAt: () => lastAt,
        close: () => local.close(),
    };
}

/** The body is the whole msg (see flow.ts): msg.payload is the enriched event. */
function parseDelivery(body: string): Delivery | undefined {
    let msg: unknown;
    try {
        msg = JSON.parse(body);
    } catch {
        return undefined;
    }
    if (!isRecord(msg) || !isRecord(msg.payload)) return undefined;
    const event = msg.payload;
    const data =
        isRecord(event.EVENT_DATA) && isRecord(event.EVENT_DATA.FIELDS) ? event.EVENT_DATA.FIELDS : {};
    const objectId = Number(data.ID);
    if (!Number.isInteger(objectId) || typeof event.EVENT_NAME !== 'string') return undefined;
    const deleted = event.deleted === true;
    const title =
        !deleted && isRecord(event.object) && typeof event.object.title === 'string'
            ? event.object.title
            : null;
    if (!deleted && title === null) return undefined;
    const memberId =
        isRecord(msg.portal) && typeof msg.portal.memberId === 'string' ? msg.portal.memberId : '';
    return {
        memberId,
        objectId,
        eventName: event.EVENT_NAME,
        title,
        deleted,
        rowId: String(event.ID),
        messageId: String(event.MESSAGE_ID),
        timestamp: String(event.TIMESTAMP_X),
        redelivery: typeof msg.redelivery === 'number' ? msg.redelivery : 0,
    };
}

function caughtError(body: string): { source: string; message: string } {
    try {
        const msg = JSON.parse(body) as unknown;
        // The body is the catch node's msg (see flow.ts): msg.error = {message, source}.
        if (isRecord(msg) && isRecord(msg.error)) {
            const error = msg.error;
            const source = isRecord(error.source) ? String(error.source.type) : '?';
            return { source, message: String(error.message) };
        }
    } catch {
        // not JSON
    }
    return { source: '?', message: body.slice(0, 200) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
