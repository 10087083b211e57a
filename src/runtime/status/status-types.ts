import type { Bitrix24Client, RequestOutcome, ThrottleEvent } from '../../bitrix24';

/**
 * The state a row shows: `blocked` when the portal refuses the application itself (its
 * subscription, its installation, the portal or the plan), `error` when the connection or the
 * last request failed otherwise, `throttled` while the bucket or the portal makes calls wait.
 */
export type RowState = 'ok' | 'throttled' | 'blocked' | 'error';

/** What a connection must offer to appear in the status: PortalConnection does. */
export interface StatusSource {
    readonly settings: {
        readonly id: string;
        readonly portalUrl: string;
        readonly authConnector: string;
        readonly authType: string;
    };
    readonly host: string;
    readonly state: string;
    /** Why every call fails at once, for an installation its application blocked. */
    readonly blocked?: unknown;
    client(): Promise<Bitrix24Client>;
    on(event: 'request', listener: (outcome: RequestOutcome) => void): unknown;
    on(event: 'throttled', listener: (event: ThrottleEvent) => void): unknown;
    on(event: 'state', listener: (state: never) => void): unknown;
    off(event: 'request', listener: (outcome: RequestOutcome) => void): unknown;
    off(event: 'throttled', listener: (event: ThrottleEvent) => void): unknown;
    off(event: 'state', listener: (state: never) => void): unknown;
}

/** Who a row is: the portal node, and for an application on many portals the installation. */
export interface RowIdentity {
    nodeId: string;
    memberId?: string;
    domain: string;
}

/** An error as users read it: its code and the translated text with the hint. */
export interface ShownError {
    code: string;
    message: string;
}

export type DescribeError = (error: unknown) => ShownError;

/** One row as `GET /bitrix24/status` and the editor's socket carry it. No secret in it. */
export interface StatusRowView extends RowIdentity {
    key: string;
    state: RowState;
    /** The connection's own state: starting, ready, unauthorized, failed. */
    connection: string;
    /** Queue figures, null until read (or where a webhook cannot read the queue). */
    backlog: number | null;
    reserved: number | null;
    errorRows: number | null;
    oldestAgeSeconds: number | null;
    /** Unix ms of the last queue read, null before one. */
    queueReadAt: number | null;
    /** Why the queue figures could not be read, if the last read failed. */
    queueError: ShownError | null;
    bucket: { level: number; burst: number } | null;
    lastHour: { requests: number; status503: number; status429: number; refreshes: number };
    /** Since the start: requests by HTTP status (0 = no answer), token refreshes. */
    totals: { requests: Record<string, number>; refreshes: number };
    lastError: (ShownError & { at: number; method: string }) | null;
    /** `[unix ms, backlog]` over the last hour. */
    backlogSamples: [number, number][];
    /** The instance draining this portal, with a shared store; null without one. */
    drainedBy: string | null;
}

export interface StatusSnapshot {
    /** Unix ms. */
    at: number;
    /** How often the queue figures are read while someone looks, in seconds. */
    queueIntervalSeconds: number;
    rows: StatusRowView[];
}
