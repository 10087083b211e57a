// What the emulator counts, for `GET /_emulator/counters` and `control.counters()`.
import type { QueueGauges } from '../queue/offline-queue';

export interface CounterSnapshot {
    requests: number;
    /** Milliseconds spent working on REST requests (parsing, the method, encoding the reply). */
    restBusyMs: number;
    requestsByMethod: Record<string, number>;
    batchSubCalls: number;
    status503: number;
    status429: number;
    injected500: number;
    droppedConnections: number;
    /** Requests executed whose reply was lost on purpose (fault lostReplyRate). */
    lostReplies: number;
    slowedAnswers: number;
    rowsQueued: number;
    rowsInserted: number;
    rowsMerged: number;
    rowsSuppressed: number;
    rowsReserved: number;
    rowsErrored: number;
    rowsCleared: number;
    rowsPurged: number;
    tokensIssued: number;
    refreshes: number;
    codeExchanges: number;
    installCallbacksSent: number;
    ringsSent: number;
    ringsDropped: number;
    ringsFailed: number;
    eventsPosted: number;
    changes: number;
    queue: QueueGauges;
}

export class Counters {
    requests = 0;
    /** Milliseconds the emulator spent working on REST requests (body read to reply written). */
    restBusyMs = 0;
    readonly requestsByMethod = new Map<string, number>();
    /** Sub-calls executed inside `batch`, by method (they are also in requestsByMethod). */
    batchSubCalls = 0;
    status503 = 0;
    status429 = 0;
    injected500 = 0;
    droppedConnections = 0;
    lostReplies = 0;
    slowedAnswers = 0;
    rowsQueued = 0;
    rowsInserted = 0;
    rowsMerged = 0;
    rowsSuppressed = 0;
    rowsReserved = 0;
    rowsErrored = 0;
    rowsCleared = 0;
    rowsPurged = 0;
    tokensIssued = 0;
    refreshes = 0;
    codeExchanges = 0;
    installCallbacksSent = 0;
    ringsSent = 0;
    ringsDropped = 0;
    ringsFailed = 0;
    eventsPosted = 0;
    changes = 0;

    countMethod(method: string): void {
        this.requestsByMethod.set(method, (this.requestsByMethod.get(method) ?? 0) + 1);
    }

    reset(): void {
        const byMethod = this.requestsByMethod;
        Object.assign(this, new Counters(), { requestsByMethod: byMethod });
        byMethod.clear();
    }

    snapshot(queue: QueueGauges): CounterSnapshot {
        return {
            requests: this.requests,
            restBusyMs: Math.round(this.restBusyMs * 10) / 10,
            requestsByMethod: Object.fromEntries(this.requestsByMethod),
            batchSubCalls: this.batchSubCalls,
            status503: this.status503,
            status429: this.status429,
            injected500: this.injected500,
            droppedConnections: this.droppedConnections,
            lostReplies: this.lostReplies,
            slowedAnswers: this.slowedAnswers,
            rowsQueued: this.rowsQueued,
            rowsInserted: this.rowsInserted,
            rowsMerged: this.rowsMerged,
            rowsSuppressed: this.rowsSuppressed,
            rowsReserved: this.rowsReserved,
            rowsErrored: this.rowsErrored,
            rowsCleared: this.rowsCleared,
            rowsPurged: this.rowsPurged,
            tokensIssued: this.tokensIssued,
            refreshes: this.refreshes,
            codeExchanges: this.codeExchanges,
            installCallbacksSent: this.installCallbacksSent,
            ringsSent: this.ringsSent,
            ringsDropped: this.ringsDropped,
            ringsFailed: this.ringsFailed,
            eventsPosted: this.eventsPosted,
            changes: this.changes,
            queue,
        };
    }
}
