import { appDeliveries } from '../app/app-deliveries';
import { PollBackoff } from '../app/poll-backoff';
import type { AppRing, LifecycleEvent, PortalApp, PortalRef } from '../app/portal-app';
import { bindingSpec } from '../bind/binding-spec';

export interface AppTriggerSettings {
    /** Where the application takes its portals' events (`.../bitrix24/app/<portal node>/event`). */
    eventUrl: string;
    autoBind: boolean;
    minTimeout: number;
    /** Seconds before the first poll of an idle installation; 0 = never. */
    pollInterval: number;
}

export interface AppTriggerReport {
    /** A verified ring, or a poll of an idle installation: the node sends it. */
    wake(topic: 'ONOFFLINEEVENT' | 'poll', payload: AppRing['payload'], portal: PortalRef): void;
    /** The doorbell binding cannot be made (no public URL the portals can reach). */
    failed(err: unknown): void;
}

/**
 * The ONOFFLINEEVENT trigger of an application installed on many portals: the application
 * verifies and routes the rings (by member_id), this passes them on, has ONOFFLINEEVENT bound on
 * every installation (autoBind), and polls the installations that stay idle with back-off.
 */
export class AppTrigger {
    private readonly backoff: PollBackoff;
    private stopKeeping: (() => Promise<void>) | undefined;
    private closed = false;
    private readonly onRing = (ring: AppRing) => {
        this.backoff.reset(ring.portal.memberId);
        this.report.wake('ONOFFLINEEVENT', ring.payload, ring.portal);
    };
    private readonly onRowsFound = (memberId: string) => {
        if (this.backoff.dueAt(memberId) !== undefined) this.backoff.reset(memberId);
    };
    private readonly onLifecycle = (event: LifecycleEvent) => {
        const { memberId } = event.portal;
        if (event.status !== 'active') this.backoff.remove(memberId);
        // A fresh installation's queue is empty; with the doorbell kept bound its rings carry the
        // changes, so polling it starts as for an idle one (docs/portals.md).
        else if (event.topic === 'installed' && this.doorbellKept) this.backoff.startIdle(memberId);
        else this.backoff.reset(memberId);
    };
    private readonly doorbellKept: boolean;

    constructor(
        private readonly app: PortalApp,
        owner: string,
        settings: AppTriggerSettings,
        private readonly report: AppTriggerReport,
    ) {
        this.backoff = new PollBackoff(settings.pollInterval * 1000, (memberId) => this.poll(memberId));
        this.doorbellKept = settings.autoBind;
        app.on('ring', this.onRing);
        app.on('lifecycle', this.onLifecycle);
        appDeliveries(app).on('rowsFound', this.onRowsFound);
        void Promise.resolve(app.ready).then(() => {
            if (this.closed) return;
            for (const { memberId, status } of app.installations())
                if (status === 'active') this.backoff.reset(memberId);
        });
        if (settings.autoBind) this.keepDoorbell(owner, settings);
    }

    /** Stops; removed from the flow, ONOFFLINEEVENT is no longer kept bound on the installations. */
    async close(removed: boolean): Promise<void> {
        this.closed = true;
        this.backoff.close();
        this.app.off('ring', this.onRing);
        this.app.off('lifecycle', this.onLifecycle);
        appDeliveries(this.app).off('rowsFound', this.onRowsFound);
        if (removed) await this.stopKeeping?.();
    }

    /** The doorbell is an online event bound to the application's event URL (docs/bitrix24.md §6). */
    private keepDoorbell(owner: string, settings: AppTriggerSettings): void {
        try {
            const doorbell = bindingSpec({
                event: 'ONOFFLINEEVENT',
                eventType: 'online',
                handler: settings.eventUrl,
                options: { minTimeout: settings.minTimeout },
            });
            this.stopKeeping = this.app.keepBound(owner, doorbell);
        } catch (err) {
            this.report.failed(err);
        }
    }

    private poll(memberId: string): void {
        const portal = this.app.portal(memberId);
        if (!portal) {
            this.backoff.remove(memberId);
            return;
        }
        this.report.wake(
            'poll',
            { event: 'poll', ts: Math.floor(Date.now() / 1000), domain: portal.domain, member_id: memberId },
            portal,
        );
    }
}
