// One "PHP request" of the portal: a REST call (a batch with its sub-calls is one), one control
// API change, or one generator change. Bitrix collects the events a request raises and writes the
// offline rows once, at its end (ProviderOffline::finalize); the operating-time budget and the
// minTimeout=0 "one ring per request" rule are per request too.
import { RequestTimes } from '../limits/operating-time';
import type { App } from '../store/apps';
import type { Binding } from './bindings';

/** Who is making the change, as the echo-suppression check sees it (docs/bitrix24.md §11). */
export interface Actor {
    /** client_id of the calling app; null for webhooks and changes made in the portal UI. */
    clientId: string | null;
    /** auth_connector of the request; '' when absent. */
    connector: string;
    /** The acting user; 0 for robots and agents. */
    userId: number;
}

export interface PendingEvent {
    binding: Binding;
    app: App;
    eventName: string;
    data: unknown;
}

export class RequestScope {
    readonly offline: PendingEvent[] = [];
    readonly online: PendingEvent[] = [];
    readonly times = new RequestTimes();
    /** EventOfflineTable::$isSendOfflineEvent: minTimeout 0 rings at most once per request. */
    offlineEventSent = false;
    /**
     * The object ids in this request's EVENT_DATA are strings ("49"), as some portal code paths
     * send them; MESSAGE_ID hashes the JSON, so they make other rows than 49 (docs/bitrix24.md §15.8).
     */
    stringIds = false;

    constructor(public actor: Actor) {}
}
