import { bindingSpec, type BindingSpec } from '../bind/binding-spec';
import { EventBindings } from '../bind/event-bindings';
import { keepBound } from '../bind/keep-bound';
import type { PortalConnection } from '../portal/portal-connection';
import { unreachableDoorbell } from './address-scope';
import { MissingRings, type DeliveryWatch } from './delivery-watch';
import type { DoorbellRecord } from './doorbell-record';
import { PollTimer } from './poll-timer';
import { RingVerifier, type Ring } from './ring-verifier';

export interface TriggerSettings {
    /** Where the node serves the doorbell, from the root of the runtime's node routes. */
    path: string;
    /** This Node-RED as the portal reaches it, without a trailing slash; '' = not set. */
    publicUrl: string;
    autoBind: boolean;
    minTimeout: number;
    /** Seconds without a ring before a poll; 0 = never. */
    pollInterval: number;
}

/** What the trigger tells: the keys are the node's `errors.<key>` texts. */
export type TriggerWarning =
    | { key: 'noApplicationToken' }
    | { key: 'unreachablePublicUrl'; params: { url: string; portal: string } }
    | { key: 'ringsMissing'; params: { seconds: number } };

export interface TriggerReport {
    /** A genuine ring or a poll tick: the node sends it. */
    wake(topic: 'ONOFFLINEEVENT' | 'poll', payload: Ring): void;
    /** A call at the doorbell was refused (the count is `refused`). */
    refused(): void;
    /** The doorbell waits for the portal's tokens. */
    waiting(): void;
    bound(): void;
    failed(err: unknown): void;
    warn(warning: TriggerWarning): void;
}

/**
 * The ONOFFLINEEVENT trigger without Node-RED: checks rings, polls after quiet intervals, keeps
 * the doorbell bound (autoBind) and says when the doorbell cannot ring (docs/bitrix24.md §6).
 */
export class OfflineTrigger {
    /** Calls at the doorbell that were not genuine rings. */
    refusedCount = 0;
    private memberId = '';
    private readonly verifier: RingVerifier;
    private readonly poll: PollTimer;
    private readonly missingRings: MissingRings | undefined;
    private readonly stopKeeping: (() => Promise<void>) | undefined;

    constructor(
        private readonly settings: TriggerSettings,
        private readonly connection: PortalConnection,
        private readonly deliveries: DeliveryWatch,
        private readonly record: DoorbellRecord,
        private readonly report: TriggerReport,
    ) {
        this.verifier = new RingVerifier(() => connection.applicationToken());
        // Only a bound doorbell is expected to ring; without autoBind polls are the delivery.
        this.missingRings = settings.autoBind
            ? new MissingRings(deliveries, settings.minTimeout * 1000)
            : undefined;
        this.poll = new PollTimer(settings.pollInterval, () => this.pollTick());
        void this.verifier.canVerify().then((can) => {
            if (!can) report.warn({ key: 'noApplicationToken' });
        });
        if (unreachableDoorbell(settings.publicUrl, connection.settings.portalUrl)) {
            report.warn({
                key: 'unreachablePublicUrl',
                params: { url: settings.publicUrl, portal: connection.host },
            });
        }
        if (settings.autoBind) {
            this.stopKeeping = keepBound(
                connection,
                () => Promise.resolve(this.doorbell()),
                {
                    waiting: () => report.waiting(),
                    bound: () => report.bound(),
                    failed: (err) => report.failed(err),
                },
                record,
            );
        }
    }

    /** A call at the doorbell that was too large to read. */
    refuse(): void {
        this.refusedCount++;
        this.report.refused();
    }

    /** A call's body, after the portal has had its answer (it never waits on us). */
    async receive(body: string): Promise<void> {
        const ring = await this.verifier.verifyBody(body);
        if (!ring) {
            this.refuse();
            return;
        }
        this.poll.reset();
        this.memberId = ring.member_id;
        this.deliveries.rang();
        this.report.wake('ONOFFLINEEVENT', ring);
    }

    /**
     * Stops polling and binding; a binding under way finishes first, so that the record says what
     * the portal holds. Removed from the flow, the doorbell binding goes too (rejects if it cannot).
     */
    async close(removed: boolean): Promise<void> {
        this.poll.stop();
        await this.stopKeeping?.();
        if (!removed || !this.settings.autoBind) return;
        const client = await this.connection.client();
        await new EventBindings(client).unbind(this.doorbell());
        await this.record.clear();
    }

    /** The doorbell is an online event bound to the URL the portal can reach (docs/bitrix24.md §6). */
    private doorbell(): BindingSpec {
        const { publicUrl, path, minTimeout } = this.settings;
        return bindingSpec({
            event: 'ONOFFLINEEVENT',
            eventType: 'online',
            handler: publicUrl ? publicUrl + path : '',
            options: { minTimeout },
        });
    }

    private pollTick(): void {
        if (this.missingRings?.poll()) {
            this.report.warn({ key: 'ringsMissing', params: { seconds: this.settings.pollInterval } });
        }
        this.report.wake('poll', {
            event: 'poll',
            ts: Math.floor(Date.now() / 1000),
            domain: this.connection.host,
            member_id: this.memberId,
        });
    }
}
