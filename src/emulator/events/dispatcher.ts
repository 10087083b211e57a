// Turns portal changes into offline rows, online event POSTs and ONOFFLINEEVENT rings (docs/bitrix24.md
// §1, §6, §11, per source event/callback.php, event/sender.php, event/provideroffline.php).
import type { Clock } from '../clock';
import type { Counters } from '../control/counters';
import type { FormObject } from '../php/build-query';
import type { OfflineQueue } from '../queue/offline-queue';
import type { AppStore } from '../store/apps';
import type { BindingStore } from './bindings';
import type { EventCatalog } from './catalog';
import type { EventDelivery } from './delivery';
import type { Actor, PendingEvent, RequestScope } from './request-scope';
import type { RingWindow } from './ring-window';

/** The portal's real timing (docs/bitrix24.md §15.2); all zero answers at once. */
export interface EventTiming {
    /** Offline rows are written this long after the request's answer. */
    rowDelayMs: number;
    /** Rings and online events wait this long in the event queue ... */
    ringDelayMs: number;
    /** ... plus a random 0..ringJitterMs. */
    ringJitterMs: number;
    random: () => number;
    /** Schedules the background step (through the portal's TimerSet, so stop() cancels it). */
    later: (callback: () => void, ms: number) => void;
}

export class EventDispatcher {
    constructor(
        private readonly clock: Clock,
        private readonly apps: AppStore,
        private readonly bindings: BindingStore,
        private readonly catalog: EventCatalog,
        private readonly queue: OfflineQueue,
        private readonly delivery: EventDelivery,
        private readonly rings: RingWindow,
        private readonly counters: Counters,
        private readonly timing: EventTiming,
    ) {}

    /** Callback::__callStatic: collect the handlers of live apps for this event. */
    raise(scope: RequestScope, eventName: string, data: unknown): void {
        for (const binding of this.bindings.forEvent(eventName)) {
            const app = this.apps.liveApp(binding.appId);
            if (!app) continue;
            const pending = { binding, app, eventName, data };
            if (binding.handler === '') scope.offline.push(pending);
            else scope.online.push(pending);
        }
    }

    /**
     * The end of the request: write the rows, then ring and post, asynchronously. With a row
     * delay the rows (and the rings they cause) come in a background step after the answer, as
     * ProviderOffline::registerFinalize does on the portal.
     */
    finalize(scope: RequestScope): void {
        const offline = scope.offline.splice(0);
        const online = scope.online.splice(0);
        const actor = { ...scope.actor };
        if (offline.length > 0 && this.timing.rowDelayMs > 0) {
            this.timing.later(() => this.writeRows(offline, actor, scope), this.timing.rowDelayMs);
        } else {
            this.writeRows(offline, actor, scope);
        }
        for (const item of online) {
            const auth = this.delivery.authFor(item.app, this.userFor(item.binding.userId, actor), false);
            this.send(item.binding.handler, item.eventName, item.binding.id, item.data, auth, 'event');
        }
    }

    private writeRows(offline: PendingEvent[], actor: Actor, scope: RequestScope): void {
        const appsWithRows = new Set<number>();
        const now = this.clock.nowSeconds();
        for (const item of offline) {
            // Echo suppression, per source ProviderOffline::finalize: skip the row when the request
            // was made by this very app with this handler's connector ('' when absent, so an app's
            // own writes without a connector do not echo into its connector-less queue either).
            if (actor.clientId === item.app.clientId && actor.connector === item.binding.connector) {
                this.counters.rowsSuppressed++;
                continue;
            }
            const userId = this.userFor(item.binding.userId, actor);
            const outcome = this.queue.write(
                {
                    appId: item.app.id,
                    connector: item.binding.connector,
                    eventName: item.eventName,
                    eventData: item.data,
                    // LOCAL_USER comes from $USER->GetID(), a string; robots and agents give 0 (docs/bitrix24.md §1).
                    eventAdditional: {
                        LOCAL_USER: userId > 0 ? String(userId) : 0,
                        application_token: item.app.applicationToken,
                    },
                },
                now,
            );
            this.counters.rowsQueued++;
            if (outcome === 'inserted') this.counters.rowsInserted++;
            else this.counters.rowsMerged++;
            appsWithRows.add(item.app.id);
        }
        if (appsWithRows.size > 0) this.ring(scope, actor, appsWithRows);
    }

    /** onAfterOfflineEventCall -> EventOfflineTable::prepareOfflineEvent for each ONOFFLINEEVENT handler. */
    private ring(scope: RequestScope, actor: Actor, appIds: Set<number>): void {
        const withRefresh = this.catalog.get('ONOFFLINEEVENT')?.sendRefreshToken === true;
        for (const binding of this.bindings.forEvent('ONOFFLINEEVENT')) {
            if (!appIds.has(binding.appId) || binding.handler === '') continue;
            const app = this.apps.liveApp(binding.appId);
            if (!app) continue;
            if (!this.rings.allow(binding, scope)) {
                this.counters.ringsDropped++;
                continue;
            }
            const auth = this.delivery.authFor(app, this.userFor(binding.userId, actor), withRefresh);
            this.send(binding.handler, 'ONOFFLINEEVENT', binding.id, undefined, auth, 'ring');
        }
    }

    private send(
        url: string,
        eventName: string,
        handlerId: number,
        data: unknown,
        auth: FormObject,
        kind: 'ring' | 'event',
    ): void {
        if (kind === 'ring') this.counters.ringsSent++;
        else this.counters.eventsPosted++;
        const payload = this.delivery.eventPayload(eventName, handlerId, data, auth);
        const { ringDelayMs, ringJitterMs, random } = this.timing;
        const delayMs = ringDelayMs + (ringJitterMs > 0 ? random() * ringJitterMs : 0);
        this.delivery.post(
            url,
            payload,
            (delivered) => {
                if (!delivered && kind === 'ring') this.counters.ringsFailed++;
            },
            delayMs,
        );
    }

    /** Sender::call: the handler's auth_type user if set, else the acting user (0 for robots). */
    private userFor(handlerUserId: number, actor: Actor): number {
        return handlerUserId > 0 ? handlerUserId : actor.userId;
    }
}
