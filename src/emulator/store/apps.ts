// Installed applications (b_rest_app). Rows and rings only reach apps that are active and
// installed (docs/bitrix24.md §1, per source event/callback.php).
import { randomHex, randomSecret } from '../random';

export interface App {
    id: number;
    clientId: string;
    clientSecret: string;
    /** Stable per app; sent as auth[application_token] with every event (docs/bitrix24.md §6). */
    applicationToken: string;
    scope: string[];
    active: boolean;
    installed: boolean;
    /** A paid application whose subscription ran out: no events, REST and refreshes PAYMENT_REQUIRED. */
    paymentExpired: boolean;
    /** L = local application (docs/bitrix24.md §7). */
    status: string;
    version: number;
    installUrl?: string;
    redirectUri?: string;
}

export interface NewApp {
    clientId?: string;
    clientSecret?: string;
    scope?: string[];
    installUrl?: string;
    redirectUri?: string;
    /** Default 'L' (a local application); 'F' or 'S' for a Marketplace one. */
    status?: string;
}

export const DEFAULT_APP_SCOPE = ['crm', 'task', 'user'];

export class AppStore {
    private readonly byId = new Map<number, App>();
    private readonly byClient = new Map<string, App>();
    private nextId = 1;

    add(spec: NewApp = {}): App {
        const id = this.nextId++;
        const app: App = {
            id,
            clientId: spec.clientId ?? `local.${randomHex(13)}.${String(10000000 + id).slice(-8)}`,
            clientSecret: spec.clientSecret ?? randomSecret(50),
            applicationToken: randomHex(32),
            scope: spec.scope ?? [...DEFAULT_APP_SCOPE],
            active: true,
            installed: true,
            paymentExpired: false,
            status: spec.status ?? 'L',
            version: 1,
            installUrl: spec.installUrl,
            redirectUri: spec.redirectUri,
        };
        if (this.byClient.has(app.clientId)) throw new Error(`an app with client id ${app.clientId} exists`);
        this.byId.set(id, app);
        this.byClient.set(app.clientId, app);
        return app;
    }

    /** A fresh installation of a known app: installed, active, paid, with a new application token. */
    reinstall(app: App, installUrl: string | undefined): void {
        app.installed = true;
        app.active = true;
        app.paymentExpired = false;
        app.applicationToken = randomHex(32);
        app.installUrl = installUrl;
    }

    get(id: number): App | undefined {
        return this.byId.get(id);
    }

    byClientId(clientId: string | null | undefined): App | undefined {
        return clientId ? this.byClient.get(clientId) : undefined;
    }

    list(): App[] {
        return [...this.byId.values()];
    }

    /** Events reach an app only while it is active, installed and paid for (docs/bitrix24.md §1). */
    isLive(app: App): boolean {
        return app.active && app.installed && !app.paymentExpired;
    }

    /** The app with this id if events reach it now, else undefined. */
    liveApp(id: number): App | undefined {
        const app = this.byId.get(id);
        return app && this.isLive(app) ? app : undefined;
    }
}
