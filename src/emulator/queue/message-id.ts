// MESSAGE_ID = md5(EVENT_NAME . "|" . Json::encode(EVENT_DATA)) (docs/bitrix24.md §1, per source
// EventOfflineTable::getMessageId): same event and same data give the same row.
import { createHash } from 'node:crypto';

import { bitrixJsonEncode } from '../php/json-encode';

export function messageIdOf(eventName: string, eventData: unknown): string {
    return createHash('md5')
        .update(eventName + '|' + bitrixJsonEncode(eventData))
        .digest('hex');
}
