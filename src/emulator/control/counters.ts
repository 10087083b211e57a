// What the emulator counts, for `GET /_emulator/counters` and `control.counters()`.

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
}
