import type { BadInputRow, TableContext } from './table';

/**
 * What offline-clear and offline-error are given wrong: each msg points at a real reservation,
 * so a row that got through would confirm its rows in the portal.
 */
export function confirmRows({ bench, processId, messageIds }: TableContext, method: string): BadInputRow[] {
    const PROCESS_ID = /process_id is needed/;
    const MESSAGE_IDS = /32-character MESSAGE_ID/;
    return [
        {
            what: 'a msg when no portal is configured',
            config: { portal: '' },
            msg: { process_id: processId, message_id: messageIds },
            error: /noPortal/,
        },
        {
            what: 'a webhook portal, which cannot confirm offline events',
            portal: { node: { authType: 'webhook' }, credentials: { webhookUrl: bench.emulator.webhookUrl } },
            msg: { process_id: processId, message_id: messageIds },
            error: /OAuth/,
            code: 'WRONG_AUTH_TYPE',
        },
        {
            what: 'a msg without process_id',
            msg: { message_id: messageIds },
            error: PROCESS_ID,
            code: 'INVALID_ARGUMENT',
        },
        { what: 'an empty process_id', msg: { process_id: '', message_id: messageIds }, error: PROCESS_ID },
        {
            what: 'a process_id of blanks',
            msg: { process_id: '  ', message_id: messageIds },
            error: PROCESS_ID,
        },
        {
            what: 'a process_id that is a number',
            msg: { process_id: 42, message_id: messageIds },
            error: PROCESS_ID,
        },
        {
            what: 'a process_id that is null',
            msg: { process_id: null, message_id: messageIds },
            error: PROCESS_ID,
        },
        {
            what: 'a process_id in an array',
            msg: { process_id: [processId], message_id: messageIds },
            error: PROCESS_ID,
        },
        {
            what: 'a process_id from a property that is not there',
            config: { processId: 'meta.process', processIdType: 'msg' },
            msg: { process_id: processId, message_id: messageIds },
            error: PROCESS_ID,
        },
        ...(
            [
                ['a short message id', 'abc'],
                ['a list with a short message id', [messageIds[0], 'abc']],
                ['a 33-character message id', `${messageIds[0]}f`],
                ['a 32-character message id that is not hexadecimal', 'z'.repeat(32)],
                ['a message id that is a number', 42],
                ['message ids that are numbers', [1, 2]],
                ['message ids in an object', { id: messageIds[0] }],
                ['a message id that is true', true],
            ] as [string, unknown][]
        ).map(([what, ids]) => ({
            what,
            msg: { process_id: processId, message_id: ids },
            error: MESSAGE_IDS,
            code: 'INVALID_ARGUMENT',
        })),
        {
            what: `message ids from the payload's events that are not MESSAGE_IDs (${method})`,
            config: { messageIds: 'payload', messageIdsType: 'msg' },
            msg: { process_id: processId, payload: { MESSAGE_ID: 'abc' } },
            error: MESSAGE_IDS,
        },
    ];
}
