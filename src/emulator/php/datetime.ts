// Dates as Bitrix writes and reads them: PHP `date('c')` in the portal's time zone, and
// `strtotime()` for ISO-8601 input (docs/bitrix24.md §1: TIMESTAMP_X is ISO-8601 with the portal offset).

function pad(value: number, width = 2): string {
    return String(Math.trunc(Math.abs(value))).padStart(width, '0');
}

export function formatOffset(offsetMinutes: number): string {
    const sign = offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(offsetMinutes);
    return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** PHP date('c', $unixSeconds) for a portal whose UTC offset is `offsetMinutes`. */
export function formatIso(unixSeconds: number, offsetMinutes: number): string {
    const local = new Date((Math.floor(unixSeconds) + offsetMinutes * 60) * 1000);
    return (
        `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
        `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
        formatOffset(offsetMinutes)
    );
}

const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;
const ISO_LIKE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?/;

/** strtotime() for the ISO-8601 forms clients send; a value without a zone is portal time. */
export function parseIso(text: string, offsetMinutes: number): number | null {
    const trimmed = text.trim();
    if (!ISO_LIKE.test(trimmed)) return null;
    let normalized = trimmed.replace(' ', 'T');
    if (!normalized.includes('T')) normalized += 'T00:00:00';
    if (!HAS_ZONE.test(normalized)) normalized += formatOffset(offsetMinutes);
    const millis = Date.parse(normalized);
    return Number.isNaN(millis) ? null : Math.floor(millis / 1000);
}
