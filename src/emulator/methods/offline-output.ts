// Rows as event.offline.get and event.offline.list return them (docs/bitrix24.md §1, §4).
import { formatIso } from '../php/datetime';
import type { OfflineRow } from '../queue/offline-row';

/** EVENT_ADDITIONAL is replaced by {user_id} when a local user was recorded (isset, so 0 counts). */
function additionalOf(row: OfflineRow): unknown {
    const localUser = row.eventAdditional.LOCAL_USER;
    return localUser !== undefined && localUser !== null ? { user_id: localUser } : row.eventAdditional;
}

// Rows written in the same second share their TIMESTAMP_X text; format each second once.
let lastStamp = { ts: NaN, offsetMinutes: NaN, text: '' };

function stamp(ts: number, offsetMinutes: number): string {
    if (lastStamp.ts !== ts || lastStamp.offsetMinutes !== offsetMinutes) {
        lastStamp = { ts, offsetMinutes, text: formatIso(ts, offsetMinutes) };
    }
    return lastStamp.text;
}

export function getRow(row: OfflineRow, offsetMinutes: number): Record<string, unknown> {
    return {
        ID: String(row.id),
        TIMESTAMP_X: stamp(row.ts, offsetMinutes),
        EVENT_NAME: row.eventName,
        EVENT_DATA: row.eventData,
        EVENT_ADDITIONAL: additionalOf(row),
        MESSAGE_ID: row.messageId,
    };
}

export function listRow(row: OfflineRow, offsetMinutes: number): Record<string, unknown> {
    return { ...getRow(row, offsetMinutes), PROCESS_ID: row.processId, ERROR: String(row.error) };
}
