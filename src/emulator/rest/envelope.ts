// The `time` block of every successful reply (docs/bitrix24.md §9, per source appendDebugInfo):
// start/finish (float unix), duration, processing, date_start/date_finish (ISO-8601, portal
// time zone), and from the operating-time limiter `operating` and `operating_reset_at`.
import { formatIso } from '../php/datetime';

export interface TimeBlock {
    start: number;
    finish: number;
    duration: number;
    processing: number;
    date_start: string;
    date_finish: string;
    operating_reset_at: number;
    operating: number;
}

export function timeBlock(
    startSeconds: number,
    finishSeconds: number,
    processing: number,
    offsetMinutes: number,
    operating: number,
    operatingResetAt: number,
): TimeBlock {
    return {
        start: startSeconds,
        finish: finishSeconds,
        duration: finishSeconds - startSeconds,
        processing,
        date_start: formatIso(startSeconds, offsetMinutes),
        date_finish: formatIso(finishSeconds, offsetMinutes),
        operating_reset_at: operatingResetAt,
        operating,
    };
}
