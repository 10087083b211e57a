import { EventEmitter } from 'node:events';

import {
    Bitrix24Error,
    invalidArgument,
    isBitrix24Error,
    type OAuthTokens,
    type PlanFeature,
} from '../../bitrix24';
import { isObject } from '../../bitrix24/internal';
import type { DocumentStore } from '../../bitrix24/storage/document-store';
import type { PortalEnvironment } from '../portal/portal-connection';
import { sameBinding, type BindingSpec } from '../bind/binding-spec';
import { EventBindings, matches } from '../bind/event-bindings';
import { probeToken } from '../portal/app-info-probe';
import { CloseHolds } from '../portal/close-holds';
import { PortalConnection } from '../portal/portal-connection';
import { rateProfile, type PortalSettings } from '../portal/portal-settings';
import { sameSecret } from '../trigger/ring-verifier';
import { blockReason, isAdmin, mayBeNotAdmin, NOT_ADMIN, worksAgain } from './blocking';
import { InstallationBook, type InstallationRecord } from './installation-book';
import { offeredInstallation, type OfferedInstallation } from './offered-installation';
import type {
    InstallationSummary,
    LifecycleEvent,
    PortalApp,
    PortalAppEvents,
    PortalRef,
} from './portal-app';

/** What the `bitrix24-portal` node with `multiPortal` holds. */
export interface AppSettings extends Pick<
    PortalSettings,
    'id' | 'authConnector' | 'rateLimit' | 'burst' | 'rps' | 'oauthServer'
> {
    clientId: string;
    clientSecret: string;
    publicUrl: string;
    maxPortals: number;
    concurrency: number;
    /** Where the portals send ONAPPUNINSTALL, ONAPPUPDATE and ONOFFLINEEVENT. */
    eventUrl: string;
    /** How often a blocked portal is tried again; default 15 minutes. */
    recheckMs?: number;
}

export interface AppEnvironment {
    store: DocumentStore;
    /** The runtime's credential secret; encrypts the token documents when set. */
    credentialSecret?: string;
    log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
    /**
     * Several instances (design "Several Node-RED instances"): each installation's token pair,
     * bucket and budgets live in this shared store, so all instances together keep its limits.
     */
    shared?: PortalEnvironment['shared'];
    /** Told after this instance changed the installation list, so the other instances reload it. */
    changed?: () => void;
}

/** What the event URL did with a POST. */
export type EventOutcome = 'ring' | 'uninstalled' | 'updated' | 'ignored';

const RECHECK_MS = 15 * 60 * 1000;
/** The lifecycle events every installation is bound to (docs/bitrix24.md §15, item 12). */
const LIFECYCLE_EVENTS = ['ONAPPUNINSTALL', 'ONAPPUPDATE'];

interface Installation {
    record: InstallationRecord;
    connection: PortalConnection;
    recheck?: NodeJS.Timeout;
    /** The plan feature a WRONG_LICENSE named, asked again by the recheck. */
    missingFeature?: PlanFeature;
}

/**
 * An application installed on many portals (design "Many portals"): its installations keyed by
 * member_id, each with its own PortalConnection (client, limiter, budgets, token pair), kept in a
 * DocumentStore so that a restart resumes them all; the installation and event POSTs; blocking.
 * No Node-RED here.
 */
export class MultiPortalApp extends EventEmitter<PortalAppEvents> implements PortalApp {
    readonly ready: Promise<void>;
    private readonly book: InstallationBook;
    private readonly installs = new Map<string, Installation>();
    private readonly bindings = new Map<string, BindingSpec>();
    /** Installation POSTs under way per member_id, so two of one portal do not interleave. */
    private readonly pending = new Map<string, Promise<unknown>>();
    private readonly holds = new CloseHolds();
    private closed = false;
    /** Counts this instance's own changes of the list: a reload that overlaps one is dropped. */
    private changes = 0;
    private reloading: Promise<void> | undefined;

    constructor(
        readonly settings: AppSettings,
        private readonly env: AppEnvironment,
    ) {
        super();
        this.book = new InstallationBook(env.store, settings.id, env.credentialSecret);
        this.ready = this.resume().catch((err: unknown) => {
            env.log('error', `the installations could not be read: ${(err as Error).message}`);
        });
    }

    get publicUrl(): string {
        return this.settings.publicUrl;
    }

    get concurrency(): number {
        return this.settings.concurrency;
    }

    /** Where the installations are kept; flow nodes keep their per-installation documents beside them. */
    get store(): DocumentStore {
        return this.env.store;
    }

    installations(): InstallationSummary[] {
        return [...this.installs.values()].map(({ record }) => summary(record));
    }

    connection(memberId: string): PortalConnection | undefined {
        return this.installs.get(memberId)?.connection;
    }

    portal(memberId: string): PortalRef | undefined {
        const record = this.installs.get(memberId)?.record;
        return record && { memberId: record.memberId, domain: record.domain };
    }

    keepBound(owner: string, spec: BindingSpec): () => Promise<void> {
        const key = `${owner}:${spec.event}:${spec.eventType}:${spec.connector}`;
        this.bindings.set(key, spec);
        for (const install of this.installs.values()) this.bindInBackground(install, [spec]);
        return async () => {
            if (this.bindings.get(key) !== spec) return;
            this.bindings.delete(key);
            // Another owner may still need the same binding on the portals.
            if ([...this.bindings.values()].some((other) => sameBinding(other, spec))) return;
            await Promise.all(
                [...this.installs.values()].map(async ({ connection }) => {
                    if (connection.blocked) return;
                    await new EventBindings(await connection.client()).unbind(spec).catch(() => undefined);
                }),
            );
        };
    }

    holdOpen(work: Promise<unknown>): void {
        this.holds.add(work);
        for (const { connection } of this.installs.values()) connection.holdOpen(work);
    }

    /**
     * Takes an installation POST (docs/bitrix24.md §7) and keeps it only when it is genuine: see
     * offeredInstallation, then `app.info` with the offered token on that portal names this client
     * id. Rejects with the reason otherwise, having kept nothing.
     */
    install(form: Record<string, unknown>): Promise<PortalRef> {
        try {
            return this.serialised(offeredInstallation(form, this.settings.oauthServer), 'installed');
        } catch (err) {
            return Promise.reject(err instanceof Error ? err : new Error(String(err)));
        }
    }

    /** One installation POST of a portal after the other, so that two do not interleave. */
    private serialised(offered: OfferedInstallation, topic: 'installed' | 'updated'): Promise<PortalRef> {
        const previous = this.pending.get(offered.memberId) ?? Promise.resolve();
        const run = previous.then(
            () => this.adopt(offered, topic),
            () => this.adopt(offered, topic),
        );
        const tail = run.catch(() => undefined);
        this.pending.set(offered.memberId, tail);
        void tail.then(() => {
            if (this.pending.get(offered.memberId) === tail) this.pending.delete(offered.memberId);
        });
        return run;
    }

    /**
     * An event POST: looked up by `auth[member_id]`, and taken only with THAT installation's
     * application token (constant-time compare; docs/bitrix24.md §6). Answers what it did.
     */
    async event(form: Record<string, unknown>): Promise<EventOutcome> {
        await this.ready;
        const auth = isObject(form.auth) ? form.auth : {};
        const memberId = typeof auth.member_id === 'string' ? auth.member_id : '';
        const given = typeof auth.application_token === 'string' ? auth.application_token : '';
        const event = typeof form.event === 'string' ? form.event.toUpperCase() : '';
        const install = this.installs.get(memberId);
        if (event === 'ONAPPUPDATE' && install && isObject(form.auth) && form.auth.access_token) {
            // An update brings new tokens and a new application token (docs/bitrix24.md §15, item
            // 12): checked as an installation is, on the portal already installed under that member_id.
            const offered = offeredInstallation(form, this.settings.oauthServer);
            if (offered.domain !== install.record.domain) return 'ignored';
            await this.serialised(offered, 'updated');
            return 'updated';
        }
        const expected = install && (await install.connection.applicationToken().catch(() => undefined));
        if (!install || !expected || !given || !sameSecret(given, expected)) return 'ignored';
        const { record } = install;
        if (event === 'ONOFFLINEEVENT') {
            const ts = typeof form.ts === 'string' && /^\d+$/.test(form.ts) ? Number(form.ts) : 0;
            this.emit('ring', {
                portal: refOf(record),
                payload: { event, ts, domain: record.domain, member_id: record.memberId },
            });
            return 'ring';
        }
        if (event === 'ONAPPUNINSTALL') {
            const data = isObject(form.data) ? form.data : {};
            await this.uninstall(memberId, data.CLEAN === '1');
            return 'uninstalled';
        }
        if (event === 'ONAPPUPDATE') {
            // An update deletes the application's handlers: bind again (docs/bitrix24.md §15, item 12).
            this.bindInBackground(install, this.wantedBindings());
            this.lifecycle('updated', record, record.status, 'ONAPPUPDATE');
            return 'updated';
        }
        return 'ignored';
    }

    /**
     * Another instance sharing the store installed, uninstalled, blocked or unblocked a portal:
     * the list is read again and the difference applied here, with the same lifecycle events.
     * The instance that took the POST has bound the portal's handlers already.
     */
    reload(): Promise<void> {
        this.reloading ??= this.applyStoredList().finally(() => (this.reloading = undefined));
        return this.reloading;
    }

    private async applyStoredList(): Promise<void> {
        await this.ready;
        const before = this.changes;
        const records = await this.book.load();
        // A change of this instance's own overlapped the read: the next reload sees its result.
        if (this.closed || before !== this.changes || this.pending.size > 0) return;
        const listed = new Set<string>();
        for (const record of records) {
            listed.add(record.memberId);
            const install = this.installs.get(record.memberId);
            if (!install) {
                const opened = this.open(record);
                if (record.status === 'blocked') this.blockConnection(opened, record.reason ?? 'BLOCKED');
                this.lifecycle('installed', record, record.status, 'ONAPPINSTALL on another instance');
            } else if (record.status !== install.record.status) {
                this.applyStatus(install, record);
            }
        }
        for (const [memberId, install] of this.installs) {
            if (listed.has(memberId)) continue;
            this.installs.delete(memberId);
            clearTimeout(install.recheck);
            this.lifecycle(
                'uninstalled',
                install.record,
                'uninstalled',
                'ONAPPUNINSTALL on another instance',
            );
            await install.connection.close();
        }
    }

    /** A block or unblock another instance decided. */
    private applyStatus(install: Installation, record: InstallationRecord): void {
        install.record.status = record.status;
        install.record.reason = record.reason;
        if (record.status === 'blocked') {
            this.blockConnection(install, record.reason ?? 'BLOCKED');
            this.lifecycle('blocked', install.record, 'blocked', record.reason ?? 'BLOCKED');
        } else {
            clearTimeout(install.recheck);
            delete install.record.reason;
            install.connection.unblock();
            this.lifecycle('unblocked', install.record, 'active', 'unblocked on another instance');
        }
    }

    async close(): Promise<void> {
        this.closed = true;
        this.removeAllListeners();
        const installs = [...this.installs.values()];
        for (const install of installs) clearTimeout(install.recheck);
        await Promise.all(installs.map(({ connection }) => connection.close()));
    }

    private async resume(): Promise<void> {
        for (const record of await this.book.load()) {
            if (this.closed) return;
            const install = this.open(record);
            if (record.status === 'blocked') this.blockConnection(install, record.reason ?? 'BLOCKED');
            else this.bindInBackground(install, this.wantedBindings());
        }
        this.env.log('debug', `${this.installs.size} installations resumed`);
    }

    private async adopt(offered: OfferedInstallation, topic: 'installed' | 'updated'): Promise<PortalRef> {
        await this.ready;
        const { memberId, domain, portalUrl, tokens } = offered;
        const existing = this.installs.get(memberId);
        if (existing && existing.record.domain !== domain) {
            throw refused('install-member-moved', `member_id ${memberId} is installed under another domain`, {
                memberId,
            });
        }
        const other = [...this.installs.values()].find(
            ({ record }) => record.domain === domain && record.memberId !== memberId,
        );
        if (other)
            throw refused('install-domain-taken', `${domain} is installed under another member_id`, {
                domain,
            });
        if (!existing && this.installs.size >= this.settings.maxPortals) {
            throw refused(
                'install-max-portals',
                `the application has its maximum of ${this.settings.maxPortals} portals`,
                { max: String(this.settings.maxPortals) },
            );
        }
        const probe = await probeToken(
            portalUrl,
            tokens.accessToken ?? '',
            rateProfile(this.settings),
            true,
        ).catch((err: unknown) => {
            const code = isBitrix24Error(err) ? err.code : 'ERROR';
            throw refused(
                'install-token-refused',
                `${domain} does not accept the offered access token (${code})`,
                {
                    domain,
                    code,
                },
            );
        });
        if (probe.clientId !== this.settings.clientId) {
            throw refused('install-other-app', 'app.info names another application than this client id', {
                clientId: this.settings.clientId,
            });
        }
        if (this.closed) throw new Bitrix24Error({ code: 'CLIENT_CLOSED' });
        if (topic === 'updated' && !existing)
            throw refused('install-member-id', 'an update of a portal that is not installed');
        const install = existing
            ? await this.renew(existing, { ...tokens, memberId }, topic === 'installed')
            : await this.create(offered);
        await this.saveRecords();
        const reason = topic === 'updated' ? 'ONAPPUPDATE' : existing ? 'ONAPPINSTALL again' : 'ONAPPINSTALL';
        this.lifecycle(topic, install.record, 'active', reason);
        if (probe.admin === false) this.block(install, NOT_ADMIN);
        else await this.bind(install, this.wantedBindings());
        return refOf(install.record);
    }

    /** A new installation: its tokens are stored before it is listed, so a restart finds both or neither. */
    private async create(offered: OfferedInstallation): Promise<Installation> {
        const { memberId, domain, portalUrl, tokens } = offered;
        await this.book.tokens(memberId).save({ ...tokens, memberId, basis: '', savedAt: Date.now() });
        const installedAt = new Date().toISOString();
        return this.open({ memberId, domain, portalUrl, status: 'active', installedAt });
    }

    /**
     * A portal installed again, or updated: the same connection (the flow nodes hold it) takes
     * the new tokens, stored before use, and works again if it was blocked.
     */
    private async renew(
        install: Installation,
        tokens: OAuthTokens,
        reinstalled: boolean,
    ): Promise<Installation> {
        clearTimeout(install.recheck);
        install.connection.unblock();
        await install.connection.adopt(tokens);
        install.record.status = 'active';
        delete install.record.reason;
        if (reinstalled) install.record.installedAt = new Date().toISOString();
        return install;
    }

    private open(record: InstallationRecord): Installation {
        const { settings } = this;
        const connection = new PortalConnection(
            {
                id: `${settings.id}/${record.memberId}`,
                portalUrl: record.portalUrl,
                authType: 'oauth',
                authConnector: settings.authConnector,
                rateLimit: settings.rateLimit,
                burst: settings.burst,
                rps: settings.rps,
                oauthServer: settings.oauthServer,
                credentials: { clientId: settings.clientId, clientSecret: settings.clientSecret },
            },
            {
                tokenStore: this.book.tokens(record.memberId),
                shared: this.env.shared,
                log: (level, message) => this.env.log(level, `${record.domain}: ${message}`),
                status: { nodeId: settings.id, memberId: record.memberId },
            },
        );
        const install: Installation = { record, connection };
        this.changes++;
        connection.on('failed', (err) => this.onFailure(install, err));
        connection.on('throttled', (event) => this.emit('throttled', refOf(record), event));
        this.installs.set(record.memberId, install);
        for (const hold of this.holds.pending()) connection.holdOpen(hold);
        return install;
    }

    private async uninstall(memberId: string, clean: boolean): Promise<void> {
        const install = this.installs.get(memberId);
        if (!install) return;
        // Forgotten first, so that no new work starts on it; then its client is closed.
        this.installs.delete(memberId);
        this.changes++;
        clearTimeout(install.recheck);
        const closing = install.connection.close();
        await this.book.tokens(memberId).remove();
        await this.saveRecords();
        this.lifecycle(
            'uninstalled',
            install.record,
            'uninstalled',
            clean ? 'ONAPPUNINSTALL CLEAN' : 'ONAPPUNINSTALL',
            clean,
        );
        await closing;
    }

    private onFailure(install: Installation, err: Bitrix24Error): void {
        if (this.installs.get(install.record.memberId) !== install || install.connection.blocked) return;
        const reason = blockReason(err);
        if (reason) {
            install.missingFeature = err.feature;
            this.block(install, reason);
            return;
        }
        if (mayBeNotAdmin(err)) {
            void install.connection
                .unblockedClient()
                .then(isAdmin)
                .then(
                    (admin) => {
                        if (admin === false) this.block(install, NOT_ADMIN);
                    },
                    () => undefined,
                );
        }
    }

    private block(install: Installation, reason: string): void {
        const { record } = install;
        this.blockConnection(install, reason);
        record.status = 'blocked';
        record.reason = reason;
        void this.saveRecords().catch(() => undefined);
        this.env.log(
            'warn',
            `${record.domain} is blocked: ${reason}; tried again every ${this.recheckMs() / 60_000} min`,
        );
        this.lifecycle('blocked', record, 'blocked', reason);
    }

    private blockConnection(install: Installation, reason: string): void {
        install.connection.block(
            new Bitrix24Error({ code: reason, description: `the portal is blocked (${reason})` }),
        );
        this.scheduleRecheck(install);
    }

    private scheduleRecheck(install: Installation): void {
        clearTimeout(install.recheck);
        install.recheck = setTimeout(() => void this.recheck(install), this.recheckMs());
        install.recheck.unref();
    }

    /** The rare check of a blocked portal (worksAgain); unblocked when it passes. */
    private async recheck(install: Installation): Promise<void> {
        if (this.closed || this.installs.get(install.record.memberId) !== install) return;
        const { record } = install;
        const client = await install.connection.unblockedClient().catch(() => undefined);
        if (!client || !(await worksAgain(client, record.reason ?? '', install.missingFeature))) {
            this.scheduleRecheck(install);
            return;
        }
        install.connection.unblock();
        install.missingFeature = undefined;
        record.status = 'active';
        delete record.reason;
        await this.saveRecords().catch(() => undefined);
        this.lifecycle('unblocked', record, 'active', 'the portal answers again');
        this.bindInBackground(install, this.wantedBindings());
    }

    private recheckMs(): number {
        return this.settings.recheckMs ?? RECHECK_MS;
    }

    /** The lifecycle handlers, and every binding a flow node asked to keep. */
    private wantedBindings(): BindingSpec[] {
        const lifecycle = LIFECYCLE_EVENTS.map((event): BindingSpec => ({
            event,
            eventType: 'online',
            handler: this.settings.eventUrl,
            connector: '',
            options: {},
        }));
        return [...lifecycle, ...this.bindings.values()];
    }

    private bindInBackground(install: Installation, specs: BindingSpec[]): void {
        void this.bind(install, specs).catch(() => undefined);
    }

    private async bind(install: Installation, specs: BindingSpec[]): Promise<void> {
        if (install.connection.blocked) return;
        try {
            const bindings = new EventBindings(await install.connection.client());
            const handlers = await bindings.list();
            for (const spec of specs) {
                if (!handlers.some((handler) => matches(handler, spec))) await bindings.bind(spec);
            }
        } catch (err) {
            const message = isBitrix24Error(err) ? err.message : String(err);
            this.env.log('warn', `${install.record.domain}: binding failed: ${message}`);
        }
    }

    private async saveRecords(): Promise<void> {
        this.changes++;
        await this.book.save([...this.installs.values()].map(({ record }) => record));
        this.env.changed?.();
    }

    private lifecycle(
        topic: LifecycleEvent['topic'],
        record: InstallationRecord,
        status: LifecycleEvent['status'],
        reason: string,
        clean?: boolean,
    ): void {
        const event: LifecycleEvent = { topic, portal: refOf(record), status, reason };
        if (clean) event.clean = true;
        // The install route logs an installation itself, in the runtime's language.
        const level = topic === 'installed' ? 'debug' : 'info';
        this.env.log(level, `${record.domain} (${record.memberId}): ${topic} (${reason})`);
        this.emit('lifecycle', event);
    }
}

function refOf(record: InstallationRecord): PortalRef {
    return { memberId: record.memberId, domain: record.domain };
}

function summary(record: InstallationRecord): InstallationSummary {
    const { memberId, domain, status, installedAt, reason } = record;
    return reason
        ? { memberId, domain, status, installedAt, reason }
        : { memberId, domain, status, installedAt };
}

function refused(reason: string, description: string, params?: Record<string, string>): Bitrix24Error {
    return invalidArgument('auth', reason, description, params);
}
