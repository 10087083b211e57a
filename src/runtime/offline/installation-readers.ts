import { Bitrix24Error, LocalCode, type PlanFeature } from '../../bitrix24';
import type { DocumentStore } from '../../bitrix24/internal';
import { appDeliveries } from '../app/app-deliveries';
import { DrainRotation } from '../app/drain-rotation';
import type { LifecycleEvent, PortalApp, PortalRef } from '../app/portal-app';
import { Ledger, type LedgerFile } from './ledger';
import {
    OfflineReader,
    type DrainSummary,
    type EmittedReservation,
    type PassRequest,
    type ReadSettings,
    type ReaderActivity,
} from './reader';
import { registryOf } from './reservations';
import type { Coordination } from '../store/coordination';
import { SharedDrain } from '../store/shared-drain';

export interface InstallationReadersReport {
    emit(portal: PortalRef, reservation: EmittedReservation): void;
    /** A drain of this installation is over: its queue came back short. */
    emptied(portal: PortalRef, summary: DrainSummary): void;
    activity(activity: ReaderActivity): void;
    warn(err: unknown, portal: PortalRef): void;
}

export interface InstallationReadersOptions {
    app: PortalApp;
    /** The get node: its ledgers are `ledger-<node>-<memberId>`. */
    nodeId: string;
    /** What keeps one installation's reservations apart from another's (see registryOf). */
    key(memberId: string): string;
    /** The node's settings; `authConnector` is its own (blank: the application's). */
    read: ReadSettings;
    features(connector: string | undefined): PlanFeature[];
    /** Where the ledgers are kept; undefined: in memory only. */
    store: DocumentStore | undefined;
    report: InstallationReadersReport;
    /**
     * Several instances (design "Several Node-RED instances"): each installation is drained by
     * one instance at a time, under the lease `<node>:<memberId>`, the leases shared evenly.
     */
    coordination?: Coordination;
}

interface InstallationReader {
    reader: OfflineReader;
    /** What the current drain found so far, for the "empty" output. */
    found: DrainSummary;
    emptied: boolean;
    ledger: Ledger;
    /** With a store: this instance's hold on the installation's lease. */
    shared?: SharedDrain;
}

/**
 * The reading side of one get node of an application installed on many portals: one
 * OfflineReader per active installation, each with its own ledger document, started with the node
 * (so that what a restart left unconfirmed is delivered again), closed when the installation is
 * uninstalled or blocked; drains of many installations go through a fair rotation.
 */
export class InstallationReaders {
    private readonly readers = new Map<string, InstallationReader>();
    private readonly rotation: DrainRotation;
    /** Readers being closed, by member_id. */
    private readonly shutting = new Map<string, Promise<void>>();
    private closed = false;
    private readonly onLifecycle = (event: LifecycleEvent) => this.lifecycle(event);

    constructor(private readonly options: InstallationReadersOptions) {
        this.rotation = new DrainRotation(options.app.concurrency);
        options.app.on('lifecycle', this.onLifecycle);
    }

    /** Opens a reader for every active installation, once the application has resumed them. */
    async start(): Promise<void> {
        await this.options.app.ready;
        if (this.closed) return;
        for (const { memberId, status } of this.options.app.installations())
            if (status === 'active') this.open(memberId);
    }

    /**
     * Drains `only` this installation, or every active one: each to its end (with `drain`), one
     * batch per turn. Resolves when all are over; a failed installation is reported, not thrown,
     * so one blocked portal never fails the others' drain. With `only`, its failure is thrown.
     */
    async drain(request: PassRequest, only?: PortalRef): Promise<void> {
        if (only) {
            await this.drainOne(only.memberId, request);
            return;
        }
        const active = this.options.app.installations().filter((i) => i.status === 'active');
        await Promise.all(
            active.map((installation) =>
                this.drainOne(installation.memberId, request).catch((err: unknown) =>
                    this.options.report.warn(err, this.refOf(installation.memberId) ?? installation),
                ),
            ),
        );
    }

    /** Re-reads one reservation of one installation (`msg.process_id` with `msg.portal`). */
    async reread(memberId: string, processId: string): Promise<void> {
        await this.readerOf(memberId).reader.read({ processId });
    }

    async close(): Promise<void> {
        this.closed = true;
        this.options.app.off('lifecycle', this.onLifecycle);
        this.rotation.close();
        const readers = [...this.readers.values()];
        this.readers.clear();
        await Promise.all([
            ...readers.map(async ({ reader, shared }) => {
                await shared?.close();
                await reader.close();
            }),
            ...this.shutting.values(),
        ]);
    }

    private async drainOne(memberId: string, request: PassRequest): Promise<void> {
        const installation = this.readerOf(memberId);
        // Not the lease holder: the owner, wherever it runs, is woken and drains it.
        if (installation.shared && (await installation.shared.request()) === 'woken') return;
        return this.rotation.drain(memberId, async () => {
            const current = this.readers.get(memberId);
            if (!current || current !== installation) return 'done';
            current.emptied = false;
            await current.reader.read(request);
            if (current.emptied || !this.options.read.drain) return 'done';
            return 'more';
        });
    }

    private readerOf(memberId: string): InstallationReader {
        const reader = this.readers.get(memberId) ?? this.open(memberId);
        if (!reader) throw new Bitrix24Error({ code: LocalCode.Closed });
        return reader;
    }

    private open(memberId: string): InstallationReader | undefined {
        const present = this.readers.get(memberId);
        if (present || this.closed) return present;
        const { app, read, store, nodeId, report } = this.options;
        const connection = app.connection(memberId);
        if (!connection) return undefined;
        const connector = connection.connectorFor(read.authConnector ?? '');
        const features = this.options.features(connector);
        const portal = () => this.refOf(memberId) ?? { memberId, domain: '' };
        const shared =
            read.mode === 'reserve' ? this.sharedDrain(memberId, () => installation, portal) : undefined;
        // Shared: one ledger document per instance, confirmations gathered for a second (as one portal's).
        const ledger = new Ledger(
            read.mode === 'reserve'
                ? (shared?.ledgers.own() ?? store?.document<LedgerFile>(ledgerName(nodeId, memberId)))
                : undefined,
            shared ? 1000 : undefined,
        );
        // One batch per drain turn: the rotation, not the reader, decides whether to read on.
        const settings: ReadSettings = { ...read, drain: false, authConnector: connector };
        const installation: InstallationReader = {
            found: { reservations: 0, events: 0 },
            emptied: false,
            ledger,
            reader: new OfflineReader(
                settings,
                () => {
                    // A reinstall gives the installation a new connection: always ask for the current one.
                    const current = app.connection(memberId);
                    if (!current) return Promise.reject(new Bitrix24Error({ code: LocalCode.Closed }));
                    return current.queue(features);
                },
                ledger,
                {
                    emit: (reservation) => {
                        if (reservation.redelivery === 0 && reservation.events.length > 0) {
                            installation.found.reservations++;
                            installation.found.events += reservation.events.length;
                            appDeliveries(app).rowsFound(memberId);
                        }
                        report.emit(portal(), reservation);
                    },
                    emptied: () => {
                        installation.emptied = true;
                        report.emptied(portal(), installation.found);
                        installation.found = { reservations: 0, events: 0 };
                    },
                    activity: (activity) => report.activity(activity),
                    warn: (err) => report.warn(err, portal()),
                    gate: shared,
                },
                registryOf(this.options.key(memberId)),
            ),
            shared,
        };
        this.readers.set(memberId, installation);
        void installation.reader.start();
        shared?.start();
        return installation;
    }

    private sharedDrain(
        memberId: string,
        installation: () => InstallationReader,
        portal: () => PortalRef,
    ): SharedDrain | undefined {
        const { coordination, nodeId, report } = this.options;
        if (!coordination) return undefined;
        const warn = (err: unknown) => report.warn(err, portal());
        return new SharedDrain(coordination, `${nodeId}-${memberId}`, `${nodeId}:${memberId}`, {
            drain: () => {
                if (this.readers.get(memberId) === installation())
                    void this.drainOne(memberId, {}).catch(warn);
            },
            adopt: (entries) => installation().reader.adopt(entries),
            changed: () => undefined,
            // A Redis that restarted empty lost this instance's ledger: what it holds is written again.
            storeBack: () =>
                void installation()
                    .ledger.record()
                    .catch(() => undefined),
            warn,
        });
    }

    private lifecycle(event: LifecycleEvent): void {
        const { memberId } = event.portal;
        if (event.topic === 'uninstalled' || event.topic === 'blocked') {
            this.shut(event.portal, event.topic === 'uninstalled' && event.clean === true);
        } else if (event.status === 'active' && !this.readers.has(memberId)) {
            // After the reader it replaces has written its ledger, so the new one reads it whole.
            void (this.shutting.get(memberId) ?? Promise.resolve()).then(() => this.open(memberId));
        }
    }

    /** Closes an installation's reader; with `forget`, its ledger goes too (uninstall with CLEAN). */
    private shut(portal: PortalRef, forget: boolean): void {
        const { memberId } = portal;
        const installation = this.readers.get(memberId);
        this.readers.delete(memberId);
        const { store, nodeId, report } = this.options;
        const closing = (async () => {
            await installation?.shared?.close();
            await installation?.reader.close();
            if (forget) await store?.document(ledgerName(nodeId, memberId)).remove();
        })().catch((err: unknown) => report.warn(err, portal));
        this.shutting.set(memberId, closing);
        void closing.then(() => {
            if (this.shutting.get(memberId) === closing) this.shutting.delete(memberId);
        });
    }

    private refOf(memberId: string): PortalRef | undefined {
        return this.options.app.portal(memberId);
    }
}

/** The ledger document of one get node and one installation. */
export function ledgerName(nodeId: string, memberId: string): string {
    return `ledger-${nodeId}-${memberId}`;
}
