/**
 * What the flow nodes of one portal saw of delivery: the rings its triggers took, and the reads
 * of its get nodes that found new rows. The portal node holds one, its flow nodes report to it.
 */
export class DeliveryWatch {
    /** Orders the reports: a later report has a higher number. */
    private sequence = 0;
    private ringNumber = 0;
    private rowsNumber = 0;
    private ringTime = 0;

    rang(now = Date.now()): void {
        this.ringNumber = ++this.sequence;
        this.ringTime = now;
    }

    /** A read found rows the flow had not been given before (no redelivery). */
    rowsFound(): void {
        this.rowsNumber = ++this.sequence;
    }

    get position(): number {
        return this.sequence;
    }

    /** Unix ms of the last ring, 0 before the first. */
    get lastRingAt(): number {
        return this.ringTime;
    }

    rangSince(position: number): boolean {
        return this.ringNumber > position;
    }

    rowsFoundSince(position: number): boolean {
        return this.rowsNumber > position;
    }
}

/** Polls in a row that must find unannounced rows before the trigger says so. */
const POLLS_IN_A_ROW = 2;

/**
 * Tells, at each poll, whether polls keep finding rows that no ring announced: the doorbell is
 * bound, but its rings do not reach Node-RED and the poll interval carries delivery (issue 12).
 * A poll interval counts when rows were found in it, no ring came, and the last ring is older
 * than `minTimeout` (rows inside that window get no ring by design, docs/bitrix24.md §6).
 * Answers true once, for a warning that is given once.
 */
export class MissingRings {
    private position: number;
    private intervalStart: number;
    private inARow = 0;
    private told = false;

    constructor(
        private readonly watch: DeliveryWatch,
        private readonly minTimeoutMs: number,
        now = Date.now(),
    ) {
        this.position = watch.position;
        this.intervalStart = now;
    }

    /** At a poll: whether to warn now. */
    poll(now = Date.now()): boolean {
        const { watch } = this;
        if (watch.rangSince(this.position)) this.inARow = 0;
        else if (
            watch.rowsFoundSince(this.position) &&
            this.intervalStart - watch.lastRingAt >= this.minTimeoutMs
        )
            this.inARow++;
        this.position = watch.position;
        this.intervalStart = now;
        if (this.told || this.inARow < POLLS_IN_A_ROW) return false;
        this.told = true;
        return true;
    }
}
