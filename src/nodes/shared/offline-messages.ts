import { isObject } from '../../bitrix24/internal';
import type { EmittedReservation } from '../../runtime/offline/reader';
import type { Bitrix24Message, InputMessage } from './messages';

/**
 * The msgs of offline-get (design: "msg conventions"). Batch output: one msg per reservation.
 * Event output: one msg per event, with `parts` that a join node can rebuild the batch from.
 */
export function reservationMessages(
    reservation: EmittedReservation,
    output: 'batch' | 'event',
): Bitrix24Message[] {
    const { processId, events, redelivery } = reservation;
    const redelivered = redelivery > 0 ? { redelivery } : {};
    if (output === 'batch') {
        return [{ payload: events, process_id: processId, count: events.length, ...redelivered }];
    }
    const id = processId ?? `delete-${Date.now().toString(36)}`;
    return events.map((event, index) => ({
        topic: event.EVENT_NAME,
        payload: event,
        process_id: processId,
        message_id: event.MESSAGE_ID,
        parts: { id, index, count: events.length, type: 'array', len: 1 },
        ...redelivered,
    }));
}

/** The reservation a msg belongs to and its place in it, as offline-get set them. */
export function partsOf(msg: InputMessage): { count?: number } {
    const { parts } = msg;
    return isObject(parts) && typeof parts.count === 'number' ? { count: parts.count } : {};
}
