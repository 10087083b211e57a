// The emulated Bitrix24 portal: every store and service, wired together. The HTTP listeners,
// the control API and the REST methods all work on one Portal.
import { Clock } from './clock';
import { Counters } from './control/counters';
import { Faults } from './control/faults';
import { BindingStore } from './events/bindings';
import { EventCatalog } from './events/catalog';
import { PortalChanges } from './events/changes';
import { EventDelivery } from './events/delivery';
import { EventDispatcher } from './events/dispatcher';
import { RequestScope, type Actor } from './events/request-scope';
import { RingWindow } from './events/ring-window';
import { HttpClient } from './http/client';
import { bucketFor, LeakyBucket, type LimitsSetting } from './limits/leaky-bucket';
import { OperatingTime } from './limits/operating-time';
import { TokenStore } from './oauth/token-store';
import type { ResolvedOptions } from './options';
import type { PortalInfo } from './portal-info';
import { OfflineQueue } from './queue/offline-queue';
import { randomHex } from './random';
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
    readonly changes: PortalChanges;
    limits: LimitsSetting;
    readonly methodCosts: Map<string, number>;
    defaultMethodCost: number;
    private lastAgentRun: number;

    constructor(options: ResolvedOptions) {
        this.info = {
            portalUrl: '',
            oauthServer: '',
            domain: '',
            oauthDomain: '',
            memberId: randomHex(32),
            offsetMinutes: options.utcOffsetMinutes,
        };
        this.features = new Features(options.plan, options.features);
        this.tokens = new TokenStore(this.clock, options.accessTokenTtlSeconds, this.counters);
        this.catalog = new EventCatalog(options.smartProcessTypes);
        this.crm = new CrmStore(options.smartProcessTypes);
        this.limits = options.limits;
        this.bucket = new LeakyBucket(bucketFor(options.limits, options.plan));
        this.operating = new OperatingTime(options.operatingLimitSeconds);
        this.faults = new Faults(options.seed);
        this.methodCosts = new Map(Object.entries(options.methodCostSeconds));
        this.defaultMethodCost = options.defaultMethodCostSeconds;
        this.delivery = new EventDelivery(this.info, this.clock, this.tokens, this.users, this.http);
        this.dispatcher = new EventDispatcher(
            this.clock,
            this.apps,
            this.bindings,
            this.catalog,
            this.queue,
            this.delivery,
            new RingWindow(this.clock),
            this.counters,
        );
        this.changes = new PortalChanges(this.clock, this.crm, this.tasks, this.dispatcher, this.counters);
        this.lastAgentRun = this.clock.nowSeconds();
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
