// The emulated Bitrix24 portal: every store and service, wired together. The HTTP listeners,
// the control API and the REST methods all work on one Portal.
import { Clock } from './clock';
import { Counters } from './control/counters';
import { Faults } from './control/faults';
import { BindingStore } from './events/bindings';
import { EventCatalog } from './events/catalog';
import { PortalChanges } from './events/changes';
import { EventDelivery } from './events/delivery';
import { EventDispatcher, type EventTiming } from './events/dispatcher';
import { RequestScope, type Actor } from './events/request-scope';
import { RingWindow } from './events/ring-window';
import { HttpClient } from './http/client';
import { bucketFor, LeakyBucket, type LimitsSetting } from './limits/leaky-bucket';
import { OperatingTime } from './limits/operating-time';
import { TokenStore } from './oauth/token-store';
import type { ResolvedOptions } from './options';
import type { PortalInfo } from './portal-info';
import { OfflineQueue } from './queue/offline-queue';
import { randomHex, seededRandom } from './random';
import { AppStore } from './store/apps';
import { CrmStore } from './store/crm-store';
import { Features } from './store/features';
import { TaskStore } from './store/task-store';
import { UserStore } from './store/users';
import { TimerSet } from './timers';
import { WebhookStore } from './store/webhooks';

const AGENT_PERIOD_SECONDS = 86400;

export class Portal {
    readonly clock = new Clock();
    readonly counters = new Counters();
    readonly users = new UserStore();
    readonly apps = new AppStore();
    readonly webhooks = new WebhookStore();
    readonly queue = new OfflineQueue();
    readonly bindings = new BindingStore();
    readonly tasks = new TaskStore();
    readonly http = new HttpClient();
    readonly timers = new TimerSet();
    readonly info: PortalInfo;
    readonly features: Features;
    readonly tokens: TokenStore;
    readonly catalog: EventCatalog;
    readonly crm: CrmStore;
    readonly bucket: LeakyBucket;
    readonly operating: OperatingTime;
    readonly faults: Faults;
    readonly delivery: EventDelivery;
    readonly dispatcher: EventDispatcher;
    /** Row delay and ring delay/jitter; the control API changes them in place. */
    readonly timing: EventTiming;
    readonly changes: PortalChanges;
    limits: LimitsSetting;
    /** A self-hosted build: no cloud feature check (see options.selfHosted). */
    readonly selfHosted: boolean;
    /** event.offline.list without `next` and with `total` 0 (see options.legacyPaging). */
    legacyPaging: boolean;
    /** The portal's apps are known only to its regional token server (see options.regionalTokenServer). */
    regionalTokenServer = false;
    /** The portal was deleted: every REST request answers 410 PORTAL_DELETED. */
    deleted = false;
    /** The portal's license no longer covers applications: their calls answer 403 WRONG_LICENSE. */
    licenseExpired = false;
    /** A token server other than the OAuth listener, named instead of it (see options.tokenServer). */
    readonly tokenServerOption: string | null;
    readonly methodCosts: Map<string, number>;
    defaultMethodCost: number;
    private lastAgentRun: number;

    constructor(options: ResolvedOptions) {
        this.info = {
            portalUrl: '',
            oauthServer: '',
            domain: '',
            oauthDomain: '',
            tokenServer: '',
            tokenDomain: '',
            memberId: randomHex(32),
            offsetMinutes: options.utcOffsetMinutes,
        };
        this.features = new Features(options.plan, options.features);
        this.selfHosted = options.selfHosted;
        this.legacyPaging = options.legacyPaging;
        this.tokenServerOption = options.tokenServer;
        this.tokens = new TokenStore(this.clock, options.accessTokenTtlSeconds, this.counters);
        this.catalog = new EventCatalog(options.smartProcessTypes);
        this.crm = new CrmStore(options.smartProcessTypes);
        this.limits = options.limits;
        this.bucket = new LeakyBucket(bucketFor(options.limits, options.plan));
        this.operating = new OperatingTime(options.operatingLimitSeconds);
        this.faults = new Faults(options.seed);
        this.methodCosts = new Map(Object.entries(options.methodCostSeconds));
        this.defaultMethodCost = options.defaultMethodCostSeconds;
        const later = (callback: () => void, ms: number) => void this.timers.setTimeout(callback, ms);
        this.timing = {
            rowDelayMs: options.rowDelayMs,
            ringDelayMs: options.ringDelayMs,
            ringJitterMs: options.ringJitterMs,
            random: seededRandom(options.seed + 1),
            later,
        };
        this.delivery = new EventDelivery(this.info, this.clock, this.tokens, this.users, this.http, later);
        this.dispatcher = new EventDispatcher(
            this.clock,
            this.apps,
            this.bindings,
            this.catalog,
            this.queue,
            this.delivery,
            new RingWindow(this.clock),
            this.counters,
            this.timing,
        );
        this.changes = new PortalChanges(this.clock, this.crm, this.tasks, this.dispatcher, this.counters);
        this.lastAgentRun = this.clock.nowSeconds();
    }

    /** Whether a plan feature works: always on a self-hosted build (no cloud feature check). */
    hasFeature(code: string): boolean {
        return this.selfHosted || this.features.isEnabled(code);
    }

    /** The simulated processing time of one call of `method`. */
    costOf(method: string): number {
        return this.methodCosts.get(method) ?? this.defaultMethodCost;
    }

    setLimits(limits: LimitsSetting): void {
        this.limits = limits;
        this.bucket.configure(bucketFor(limits, this.features.plan));
    }

    newScope(actor: Actor): RequestScope {
        return new RequestScope(actor);
    }

    /** The end of a request: offline rows, rings, and the operating time it spent. */
    finishScope(scope: RequestScope): void {
        this.dispatcher.finalize(scope);
        this.operating.commit(scope.times, this.clock.nowMs() / 1000);
    }

    /** Bitrix agents run about daily; the emulator runs them when its clock has moved a day on. */
    runAgentsIfDue(): void {
        const now = this.clock.nowSeconds();
        if (now - this.lastAgentRun >= AGENT_PERIOD_SECONDS) this.runAgents();
    }

    /** EventOfflineTable::cleanProcessAgent (docs/bitrix24.md §1). Returns the rows purged. */
    runAgents(): number {
        this.lastAgentRun = this.clock.nowSeconds();
        const purged = this.queue.purgeReservations(this.lastAgentRun);
        this.counters.rowsPurged += purged;
        return purged;
    }

    addSmartProcess(entityTypeId: number): void {
        this.crm.addType(entityTypeId);
        this.catalog.addSmartProcess(entityTypeId);
    }
}
