import { setMaxListeners } from 'node:events';

import type { Authenticator, RequestCredentials } from './auth/authenticator';
import { BATCH_LIMIT, encodeCommands, splitBatchReply, type BatchCommand, type BatchItem } from './batch';
import { parseReply, type RestResponse } from './envelope';
import { Bitrix24Error, LocalCode } from './errors';
import type { PortalLimiter } from './limits/portal-limiter';
import { canRunInBatch } from './methods';
import { keepsTypesInQuery } from './query-string';
import type { Redactor } from './redact';
import { backoff, RETRY_ATTEMPTS, retryKind, type RetryKind } from './retry';
import type { HttpTransport, Redirect } from './transport';

export interface CallJob {
    kind: 'call';
    method: string;
    params: Record<string, unknown>;
    connector: string | undefined;
    repeatable: boolean;
    /** Unix ms until which the call may wait for others to share its request (0 = none). */
    lingerUntil: number;
    attempts: Partial<Record<string, number>>;
    /** Unix ms after which the call, retries included, gives up; set when it is first sent. */
    giveUpAt?: number;
    resolve(response: RestResponse): void;
    reject(error: Bitrix24Error): void;
}

export interface BatchJob {
    kind: 'batch';
    commands: BatchCommand[];
    keys: string[];
    halt: boolean;
    connector: string | undefined;
    repeatable: boolean;
    attempts: Partial<Record<string, number>>;
    giveUpAt?: number;
    resolve(items: BatchItem[]): void;
    reject(error: Bitrix24Error): void;
}

export type Job = CallJob | BatchJob;

export interface DispatchStats {
    requests: number;
    retries: number;
    rateLimited: number;
    operatingLimited: number;
    merged: number;
}

export interface DispatcherOptions {
    auth: Authenticator;
    http: HttpTransport;
    limiter: PortalLimiter;
    redactor: Redactor;
    /** Merge calls that wait at the same moment into one `batch` request. */
    mergeCalls: boolean;
    /** How long a call may take from its first request, retries included, in ms. */
    callTimeoutMs: number;
    /**
     * The portal answered a redirect: resolves true once the client has confirmed the new host
     * is the same portal and moved there (the request is then sent again), false otherwise.
     */
    followRedirect: (redirect: Redirect, from: string) => Promise<boolean>;
    log: (level: 'debug' | 'warn', message: string) => void;
}

/**
 * Sends jobs to the portal in order, one limiter slot per request. When a slot comes free, every
 * waiting call that can share a `batch` with the first (same auth_connector, which applies to a
 * whole batch, docs/bitrix24.md §10) goes out in that one request: a drain's clear of one reservation
 * and get of the next cost one request instead of two (issue 8). A batch of one command shares
 * too, like a call: enrich reads one event's object that way, 50 times per reservation.
 */
export class Dispatcher {
    readonly stats: DispatchStats = {
        requests: 0,
        retries: 0,
        rateLimited: 0,
        operatingLimited: 0,
        merged: 0,
    };
    private readonly queue: Job[] = [];
    private readonly timers = new Set<NodeJS.Timeout>();
    private readonly aborter = new AbortController();
    private readonly inFlight = new Set<Promise<void>>();
    private pumping = false;
    private wakePump: (() => void) | undefined;
    /** No more retries; queued and in-flight jobs may still finish. */
    private closing = false;
    private closed = false;

    constructor(private readonly options: DispatcherOptions) {
        // Every request in flight listens to the one abort signal.
        setMaxListeners(0, this.aborter.signal);
    }

    submit(job: Job): void {
        if (this.closed) {
            job.reject(closedError());
            return;
        }
        const wait = Math.max(
            ...jobMethods(job).map((m) => this.options.limiter.budget.delay(this.budgetKey(m))),
        );
        if (wait > 0) {
            this.later(wait, () => this.submit(job));
            return;
        }
        this.queue.push(job);
        if (job.kind !== 'call' || job.lingerUntil === 0) this.wakePump?.();
        this.startPump();
    }

    /**
     * Lets what is queued or on the wire finish for up to `graceMs` (a get whose answer is lost
     * would leave a reservation nobody knows), then rejects the rest and frees the sockets.
     */
    async close(graceMs = 5_000): Promise<void> {
        this.closing = true;
        const deadline = Date.now() + graceMs;
        while ((this.queue.length > 0 || this.inFlight.size > 0) && Date.now() < deadline) {
            await Promise.race([...this.inFlight, new Promise((resolve) => setTimeout(resolve, 20))]);
        }
        this.closed = true;
        this.aborter.abort();
        for (const timer of this.timers) clearTimeout(timer);
        this.timers.clear();
        for (const job of this.queue.splice(0)) job.reject(closedError());
    }

    private startPump(): void {
        if (this.pumping) return;
        this.pumping = true;
        // One turn of the event loop lets calls made in the same moment meet in the queue.
        setImmediate(() => void this.pump());
    }

    private async pump(): Promise<void> {
        while (this.queue.length > 0 && !this.closed) {
            const linger = this.lingerTime();
            if (linger > 0) {
                await new Promise<void>((resolve) => {
                    const timer = setTimeout(resolve, linger);
                    this.wakePump = () => {
                        clearTimeout(timer);
                        resolve();
                    };
                });
                this.wakePump = undefined;
                continue;
            }
            await this.options.limiter.acquire();
            const group = this.takeGroup();
            if (group.length > 0) {
                const sending = this.send(group);
                this.inFlight.add(sending);
                void sending.finally(() => this.inFlight.delete(sending));
            }
        }
        this.pumping = false;
    }

    /**
     * How long to hold the queue: while every queued call may linger (confirmations, which are
     * not in a hurry), up to the earliest of their deadlines; a call that may not, goes at once
     * and takes the lingering ones along.
     */
    private lingerTime(): number {
        if (this.closing) return 0;
        let until = Infinity;
        for (const job of this.queue) {
            if (job.kind !== 'call' || job.lingerUntil === 0) return 0;
            until = Math.min(until, job.lingerUntil);
        }
        return Math.max(0, until - Date.now());
    }

    private takeGroup(): Job[] {
        const head = this.queue.shift();
        if (!head) return [];
        if (!this.options.mergeCalls || !mergeable(head)) return [head];
        const group: Job[] = [head];
        for (let i = 0; i < this.queue.length && group.length < BATCH_LIMIT;) {
            const job = this.queue[i];
            if (mergeable(job) && job.connector === head.connector) {
                group.push(job);
                this.queue.splice(i, 1);
            } else {
                i++;
            }
        }
        return group;
    }

    private async send(group: Job[]): Promise<void> {
        const [head] = group;
        if (group.length === 1 && head.kind === 'call') {
            await this.attempt(group, head.method, head.params, head.connector, (response) =>
                head.resolve(response),
            );
            return;
        }
        // A batch job alone keeps its commands and keys; merged jobs bring one command each.
        const batch = group.length === 1 && head.kind === 'batch' ? head : undefined;
        const commands = batch ? batch.commands : group.map((j) => singleCommand(j)!);
        const keys = batch ? batch.keys : commands.map((_, i) => `m${i}`);
        if (!batch) this.stats.merged += group.length - 1;
        const params = { cmd: encodeCommands(commands, keys), halt: batch?.halt ? 1 : 0 };
        await this.attempt(group, 'batch', params, head.connector, (response) => {
            const items = splitBatchReply(commands, keys, response.result);
            for (const item of items) {
                this.options.limiter.budget.record(this.budgetKey(item.method), item.response?.time);
            }
            if (batch) {
                batch.resolve(items.map((item) => this.redactedItem(item)));
                return;
            }
            items.forEach((item, i) => this.settle(group[i], item));
        });
    }

    /** One HTTP request for a group of jobs; a failure is judged for each job on its own. */
    private async attempt(
        group: Job[],
        method: string,
        params: Record<string, unknown>,
        connector: string | undefined,
        onSuccess: (response: RestResponse) => void,
    ): Promise<void> {
        let credentials: RequestCredentials | undefined;
        const now = Date.now();
        for (const job of group) job.giveUpAt ??= now + this.options.callTimeoutMs;
        try {
            credentials = await this.options.auth.credentials();
            const body: Record<string, unknown> = { ...params, ...credentials.params };
            if (connector) body.auth_connector = connector;
            this.stats.requests++;
            const url = `${this.options.auth.restBase}${method}.json`;
            const reply = await this.options.http.post({
                url,
                body: JSON.stringify(body),
                contentType: 'application/json',
                signal: this.aborter.signal,
                deadline: Math.min(...group.map((job) => job.giveUpAt ?? Infinity)),
            });
            if (reply.redirect) {
                await this.redirected(group, reply.redirect, url);
                return;
            }
            const response = parseReply(method, reply);
            this.options.limiter.budget.record(this.budgetKey(method), response.time);
            onSuccess(response);
        } catch (err) {
            const error = this.asError(err, method);
            if (credentials && error.status === 401 && !this.closing) {
                await this.recoverAuth(group, error, credentials);
                return;
            }
            this.failAll(group, error);
        }
    }

    /** Sent again once the client confirmed the portal's new address; else PORTAL_MOVED (thrown). */
    private async redirected(group: Job[], redirect: Redirect, url: string): Promise<void> {
        let moved = false;
        let why = 'not confirmed as the same portal (member_id)';
        try {
            moved = await this.options.followRedirect(redirect, url);
        } catch (err) {
            // The confirmation is a refresh at the token server; its failure says what to fix.
            why = `the token server could not confirm it: ${err instanceof Bitrix24Error ? err.code : 'error'}`;
        }
        for (const job of group) job.attempts.moved = (job.attempts.moved ?? 0) + 1;
        if (moved && group.every((job) => (job.attempts.moved ?? 0) <= 2)) {
            this.retry(group, 0);
            return;
        }
        throw new Bitrix24Error({
            code: LocalCode.PortalMoved,
            status: redirect.status,
            description: `HTTP ${redirect.status} to ${hostOf(redirect.location, url)}, ${why}`,
        });
    }

    /** The operating budget is the portal's per auth kind, application or webhook, and method. */
    private budgetKey(method: string): string {
        return `${this.options.auth.budgetKey} ${method}`;
    }

    /** One merged job's item: a call resolves or fails with it, a batch of one gets it as its item. */
    private settle(job: Job, item: BatchItem): void {
        if (job.kind === 'batch') job.resolve([{ ...this.redactedItem(item), key: job.keys[0] }]);
        else if (item.response) job.resolve(item.response);
        else if (item.error) this.failAll([job], item.error);
    }

    /**
     * A 401: refresh the tokens (or see that another call already did) and send again, at most
     * twice per job. A failed refresh (invalid_grant: re-authorise) is the error users see.
     */
    private async recoverAuth(
        group: Job[],
        error: Bitrix24Error,
        credentials: RequestCredentials,
    ): Promise<void> {
        let recovered: boolean;
        try {
            recovered = await this.options.auth.recover(error, credentials);
        } catch (refreshError) {
            for (const job of group) job.reject(this.redacted(this.asError(refreshError, 'oauth/token')));
            return;
        }
        const again: Job[] = [];
        for (const job of group) {
            job.attempts.auth = (job.attempts.auth ?? 0) + 1;
            if (recovered && job.attempts.auth <= 2) again.push(job);
            else job.reject(this.redacted(error));
        }
        if (again.length > 0) this.retry(again, 0);
    }

    /**
     * Rejects the jobs that may not be retried and sends the others again, in their order,
     * after the longest wait any of them needs.
     */
    private failAll(jobs: Job[], error: Bitrix24Error): void {
        const again: Job[] = [];
        let wait = 0;
        for (const job of jobs) {
            const kind = this.closing ? undefined : retryKind(error, job.repeatable);
            const attempts = kind ? (job.attempts[kind] ?? 0) + 1 : 0;
            if (!kind || attempts >= RETRY_ATTEMPTS[kind]) {
                job.reject(this.redacted(error));
                continue;
            }
            job.attempts[kind] = attempts;
            wait = Math.max(wait, this.waitBefore(kind, attempts, error));
            again.push(job);
        }
        // A retry that could not finish before the call's time is up is not made.
        const late = again.filter((job) => Date.now() + wait >= (job.giveUpAt ?? Infinity));
        for (const job of late) {
            again.splice(again.indexOf(job), 1);
            job.reject(this.redacted(this.outOfTime(error)));
        }
        if (again.length === 0) return;
        this.options.log(
            'debug',
            `retrying ${again.map(describeJob).join(', ')} in ${wait} ms after ${error.code}`,
        );
        this.retry(again, wait);
    }

    private waitBefore(kind: RetryKind, attempts: number, error: Bitrix24Error): number {
        const { limiter } = this.options;
        if (kind === 'rate') {
            this.stats.rateLimited++;
            limiter.fill();
            return backoff(500, attempts, 30_000);
        }
        if (kind === 'operating') {
            this.stats.operatingLimited++;
            return limiter.budget.block(
                this.budgetKey(error.method ?? ''),
                error.resetAt ? error.resetAt * 1000 : undefined,
            );
        }
        return backoff(500, attempts, 15_000);
    }

    private outOfTime(last: Bitrix24Error): Bitrix24Error {
        return new Bitrix24Error({
            code: LocalCode.CallDeadline,
            method: last.method,
            status: last.status,
            description: `gave up after ${this.options.callTimeoutMs} ms with retries; the last failure was ${last.code}${last.description ? `: ${last.description}` : ''}`,
        });
    }

    private retry(jobs: Job[], waitMs: number): void {
        this.stats.retries += jobs.length;
        this.later(waitMs, () => {
            if (this.closed) {
                for (const job of jobs) job.reject(closedError());
                return;
            }
            this.queue.unshift(...jobs);
            this.startPump();
        });
    }

    private later(ms: number, fn: () => void): void {
        const timer = setTimeout(() => {
            this.timers.delete(timer);
            fn();
        }, ms);
        this.timers.add(timer);
    }

    private asError(err: unknown, method: string): Bitrix24Error {
        if (err instanceof Bitrix24Error) return err.method ? err : err.with({ method });
        return new Bitrix24Error({ code: LocalCode.Network, method, description: String(err), cause: err });
    }

    private redactedItem(item: BatchItem): BatchItem {
        return item.error ? { ...item, error: this.redacted(item.error) } : item;
    }

    private redacted(error: Bitrix24Error): Bitrix24Error {
        const description = this.options.redactor.redact(error.description);
        return description === error.description ? error : error.with({ description });
    }
}

function mergeable(job: Job): boolean {
    const command = singleCommand(job);
    return (
        command !== undefined &&
        canRunInBatch(command.method) &&
        Object.values(command.params ?? {}).every(keepsTypesInQuery)
    );
}

function hostOf(location: string, base: string): string {
    try {
        return new URL(location, base).host;
    } catch {
        return 'an address that is not a URL';
    }
}

/** The one command of a call, or of a batch of one that does not halt; else undefined. */
function singleCommand(job: Job): BatchCommand | undefined {
    if (job.kind === 'call') return { method: job.method, params: job.params };
    return job.commands.length === 1 && !job.halt
        ? { method: job.commands[0].method, params: job.commands[0].params }
        : undefined;
}

function jobMethods(job: Job): string[] {
    return job.kind === 'call' ? [job.method] : job.commands.map((c) => c.method);
}

function describeJob(job: Job): string {
    return job.kind === 'call' ? job.method : `batch of ${job.commands.length}`;
}

function closedError(): Bitrix24Error {
    return new Bitrix24Error({ code: LocalCode.Closed, description: 'the portal connection was closed' });
}
