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
import type { RequestScope } from './request-scope';
import type { RingWindow } from './ring-window';

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

    /** The end of the request: write the rows, then ring and post, asynchronously. */
    finalize(scope: RequestScope): void {
        const appsWithRows = new Set<number>();
        const now = this.clock.nowSeconds();
        for (const item of scope.offline) {
            // Echo suppression, per source ProviderOffline::finalize: skip the row when the request
            // was made by this very app with this handler's connector ('' when absent, so an app's
            // own writes without a connector do not echo into its connector-less queue either).
            if (
                scope.actor.clientId === item.app.clientId &&
                scope.actor.connector === item.binding.connector
            ) {
                this.counters.rowsSuppressed++;
                continue;
            }
            const userId = this.userFor(item.binding.userId, scope);
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
        if (appsWithRows.size > 0) this.ring(scope, appsWithRows);
        for (const item of scope.online) {
            const auth = this.delivery.authFor(item.app, this.userFor(item.binding.userId, scope), false);
            this.send(item.binding.handler, item.eventName, item.binding.id, item.data, auth, 'event');
        }
        scope.offline.length = 0;
        scope.online.length = 0;
    }

    /** onAfterOfflineEventCall -> EventOfflineTable::prepareOfflineEvent for each ONOFFLINEEVENT handler. */
    private ring(scope: RequestScope, appIds: Set<number>): void {
        const withRefresh = this.catalog.get('ONOFFLINEEVENT')?.sendRefreshToken === true;
        for (const binding of this.bindings.forEvent('ONOFFLINEEVENT')) {
            if (!appIds.has(binding.appId) || binding.handler === '') continue;
            const app = this.apps.liveApp(binding.appId);
            if (!app) continue;
            if (!this.rings.allow(binding, scope)) {
                this.counters.ringsDropped++;
                continue;
            }
            const auth = this.delivery.authFor(app, this.userFor(binding.userId, scope), withRefresh);
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
        this.delivery.post(url, this.delivery.eventPayload(eventName, handlerId, data, auth), (delivered) => {
            if (!delivered && kind === 'ring') this.counters.ringsFailed++;
        });
    }

    /** Sender::call: the handler's auth_type user if set, else the acting user (0 for robots). */
    private userFor(handlerUserId: number, scope: RequestScope): number {
        return handlerUserId > 0 ? handlerUserId : scope.actor.userId;
    }
}
