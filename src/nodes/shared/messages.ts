import type { NodeMessage, NodeMessageInFlow } from 'node-red';

import type { QueueStats } from '../../bitrix24';

/** Where an event msg stands in its reservation, so that a join node can rebuild the batch. */
export interface MessageParts {
    id: string;
    index: number;
    count: number;
    type: 'array';
    len: 1;
}

/**
 * The msg properties the nodes set and read (design: "msg conventions"), each declared once. A
 * msg is the user's object, so a node may only rely on these after it checked them.
 */
export interface Bitrix24Fields {
    /** The reservation that clear and error confirm; null in delete mode (nothing to confirm). */
    process_id: string | null;
    /** The event's MESSAGE_ID (offline-get, event output). */
    message_id: string;
    parts: MessageParts;
    /** The events in a batch msg. */
    count: number;
    /** How often the reservation was emitted again (1, 2, ...); absent the first time. */
    redelivery: number;
    /** Set by offline-clear once the rows are confirmed. */
    cleared: boolean;
    /** The installation a msg belongs to (a multi-portal application). */
    portal: { memberId: string; domain: string };
    /** A list page: `total` rows in all, the next page starts at `next` (docs/bitrix24.md §9). */
    total: number;
    next: number | undefined;
    /** The queue's figures (offline-list). */
    stats: QueueStats;
    /** Overrides of a read (offline-get) and the first row of a page (offline-list). */
    limit: number;
    filter: Record<string, unknown>;
    start: number;
    /** Event names to read methods, beside the built-in ones (enrich). */
    enrichMap: Record<string, unknown>;
}

/** A msg a node sends. */
export type Bitrix24Message = NodeMessage & Partial<Bitrix24Fields>;

/** A msg as it arrives: any node may have set any of these to anything. */
export type InputMessage = NodeMessageInFlow & { [K in keyof Bitrix24Fields]?: unknown };

/**
 * The msg a node was given, as the msg it sends on: the node sets its own fields on it. Fields a
 * node does not set keep what the flow put there, as on any msg passed along.
 */
export function passOn(msg: InputMessage): Bitrix24Message {
    return msg as Bitrix24Message;
}
