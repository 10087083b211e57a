// One row of b_rest_event_offline (docs/bitrix24.md §1, per source install.sql and eventoffline.php).

export interface OfflineRow {
    readonly id: number;
    /** TIMESTAMP_X in whole unix seconds (a MySQL TIMESTAMP): the time of the last write. */
    ts: number;
    readonly messageId: string;
    readonly appId: number;
    readonly connector: string;
    readonly eventName: string;
    eventData: unknown;
    /** As stored: {LOCAL_USER, application_token}; `get`/`list` show it as {user_id} (docs/bitrix24.md §1). */
    eventAdditional: Record<string, unknown>;
    /** '' while unreserved. */
    processId: string;
    error: 0 | 1;
}

/** ORDER BY TIMESTAMP_X walks the TIMESTAMP_X index, whose entries end with the primary key, so
 * equal timestamps come in ID order. */
export function compareTimestampThenId(a: OfflineRow, b: OfflineRow): number {
    return a.ts - b.ts || a.id - b.id;
}
