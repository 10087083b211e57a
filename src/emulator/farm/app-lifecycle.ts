// One Marketplace application's life on one portal of a farm: installation (the ONAPPINSTALL
// form, docs/bitrix24.md §7), uninstall (ONAPPUNINSTALL with data[CLEAN] and the application token,
// no usable access token) and update (ONAPPUPDATE with a new application token; the app's
// handlers are deleted and it binds again), docs/bitrix24.md §15.12; blocks and admin rights.
import type { FormObject } from '../php/build-query';
import { installApp, reinstallApp } from '../oauth/install';
import { randomHex } from '../random';
import type { Portal } from '../portal';
import { clientEndpoint, serverEndpoint } from '../portal-info';
import type { App } from '../store/apps';

/** What a blocked portal answers to every REST call of the app; undefined: normal. */
export type BlockCode = 'PAYMENT_REQUIRED' | 'PORTAL_DELETED' | 'WRONG_LICENSE';
export const BLOCK_CODES: readonly BlockCode[] = ['PAYMENT_REQUIRED', 'PORTAL_DELETED', 'WRONG_LICENSE'];

export interface FarmApp {
    clientId: string;
    clientSecret: string;
}

/** A Marketplace application's status in auth[status]: F, a free one (docs/bitrix24.md §7). */
const MARKETPLACE_STATUS = 'F';
/** The administrator who installs the app everywhere (user 1 of every portal). */
export const INSTALLING_USER = 1;

export class AppLifecycle {
    private block: BlockCode | undefined;

    constructor(
        private readonly portal: Portal,
        private readonly farmApp: FarmApp,
    ) {}

    /** The app on this portal, installed or not; undefined before the first installation. */
    app(): App | undefined {
        return this.portal.apps.byClientId(this.farmApp.clientId);
    }

    async install(url: string): Promise<{ status: number }> {
        const known = this.app();
        const { callbackStatus } = known
            ? await reinstallApp(this.portal, known, url, INSTALLING_USER)
            : await installApp(
                  this.portal,
                  { ...this.farmApp, installUrl: url, status: MARKETPLACE_STATUS },
                  INSTALLING_USER,
              );
        this.applyBlock();
        return { status: callbackStatus ?? 0 };
    }

    async uninstall(clean: boolean): Promise<void> {
        const app = this.installedApp();
        const handlers = this.handlersOf(app, 'ONAPPUNINSTALL');
        app.installed = false;
        this.portal.bindings.remove((binding) => binding.appId === app.id);
        const auth: FormObject = {
            domain: this.portal.info.domain,
            server_endpoint: serverEndpoint(this.portal.info),
            client_endpoint: clientEndpoint(this.portal.info),
            member_id: this.portal.info.memberId,
            application_token: app.applicationToken,
        };
        await this.deliver(handlers, 'ONAPPUNINSTALL', { LANGUAGE_ID: 'en', CLEAN: clean ? 1 : 0 }, auth);
    }

    async update(): Promise<void> {
        const app = this.installedApp();
        const handlers = this.handlersOf(app, 'ONAPPUPDATE');
        const previous = app.version;
        app.version += 1;
        app.applicationToken = randomHex(32);
        this.portal.bindings.remove((binding) => binding.appId === app.id);
        const auth = this.portal.delivery.authFor(app, INSTALLING_USER, true);
        const data = { VERSION: String(app.version), PREVIOUS_VERSION: String(previous), LANGUAGE_ID: 'en' };
        await this.deliver(handlers, 'ONAPPUPDATE', data, auth);
    }

    setBlock(code: BlockCode | undefined): void {
        if (code !== undefined && !BLOCK_CODES.includes(code)) {
            throw new Error(
                `block code must be one of ${BLOCK_CODES.join(', ')}, or none (got ${String(code)})`,
            );
        }
        this.block = code;
        this.applyBlock();
    }

    blockCode(): BlockCode | undefined {
        return this.block;
    }

    setAdmin(isAdmin: boolean): void {
        const user = this.portal.users.get(INSTALLING_USER);
        if (!user) throw new Error(`the installing user ${INSTALLING_USER} does not exist`);
        user.admin = isAdmin;
    }

    private applyBlock(): void {
        this.portal.deleted = this.block === 'PORTAL_DELETED';
        this.portal.licenseExpired = this.block === 'WRONG_LICENSE';
        const app = this.app();
        if (app) app.paymentExpired = this.block === 'PAYMENT_REQUIRED';
    }

    private installedApp(): App {
        const app = this.app();
        if (!app?.installed) throw new Error('the application is not installed on this portal');
        return app;
    }

    private handlersOf(app: App, eventName: string): { id: number; handler: string }[] {
        return this.portal.bindings
            .forEvent(eventName)
            .filter((binding) => binding.appId === app.id && binding.handler !== '')
            .map(({ id, handler }) => ({ id, handler }));
    }

    /** Posts the event to each handler and waits for their answers (never retried). */
    private async deliver(
        handlers: { id: number; handler: string }[],
        eventName: string,
        data: FormObject,
        auth: FormObject,
    ): Promise<void> {
        const { delivery, counters } = this.portal;
        await Promise.all(
            handlers.map(
                ({ id, handler }) =>
                    new Promise<void>((resolve) => {
                        counters.eventsPosted++;
                        delivery.post(handler, delivery.eventPayload(eventName, id, data, auth), () =>
                            resolve(),
                        );
                    }),
            ),
        );
    }
}
