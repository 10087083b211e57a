// Fault injection for REST requests: a share of 500s, a share of dropped connections (the socket
// is destroyed without a reply), slow answers, and a burst of N 503s. Not part of Bitrix24.
import { seededRandom } from '../random';

export interface FaultSettings {
    /** Share (0..1) of requests answered 500 INTERNAL_SERVER_ERROR without being executed. */
    errorRate: number;
    /** Share (0..1) of requests whose socket is destroyed without a reply (not executed). */
    dropRate: number;
    /** Share (0..1) of requests answered only after `slowMs` (executed first). */
    slowRate: number;
    slowMs: number;
    /** The next N requests get 503 QUERY_LIMIT_EXCEEDED. */
    burst503: number;
    /**
     * Share (0..1) of requests that are executed, but whose socket is destroyed before the reply:
     * the caller cannot tell whether anything happened (a reservation made, a row cleared).
     */
    lostReplyRate: number;
}

export type Fault = 'burst503' | 'drop' | 'error';

export const NO_FAULTS: FaultSettings = {
    errorRate: 0,
    dropRate: 0,
    slowRate: 0,
    slowMs: 0,
    burst503: 0,
    lostReplyRate: 0,
};

export class Faults {
    private settings: FaultSettings = { ...NO_FAULTS };
    private readonly random: () => number;

    constructor(seed: number) {
        this.random = seededRandom(seed);
    }

    set(settings: Partial<FaultSettings>): FaultSettings {
        this.settings = { ...this.settings, ...settings };
        return this.current();
    }

    clear(): void {
        this.settings = { ...NO_FAULTS };
    }

    current(): FaultSettings {
        return { ...this.settings };
    }

    /** Decides the fate of one request before it runs. */
    before(): Fault | null {
        if (this.settings.burst503 > 0) {
            this.settings.burst503--;
            return 'burst503';
        }
        if (this.settings.dropRate > 0 && this.random() < this.settings.dropRate) return 'drop';
        if (this.settings.errorRate > 0 && this.random() < this.settings.errorRate) return 'error';
        return null;
    }

    /** Whether the reply of an executed request is lost. */
    loseReply(): boolean {
        return this.settings.lostReplyRate > 0 && this.random() < this.settings.lostReplyRate;
    }

    /** Milliseconds to hold the answer back (0 = answer now). */
    delayMs(): number {
        if (
            this.settings.slowMs > 0 &&
            this.settings.slowRate > 0 &&
            this.random() < this.settings.slowRate
        ) {
            return this.settings.slowMs;
        }
        return 0;
    }
}
