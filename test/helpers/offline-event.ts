/** One row of event.offline.get as a node passes it on: an update of deal `dealId` (docs/bitrix24.md §1). */
export function dealUpdateEvent(dealId: number) {
    return {
        ID: '1',
        TIMESTAMP_X: '2025-11-28T10:00:00+00:00',
        EVENT_NAME: 'ONCRMDEALUPDATE',
        EVENT_DATA: { FIELDS: { ID: dealId } },
        EVENT_ADDITIONAL: {},
        MESSAGE_ID: 'a'.repeat(32),
    };
}
