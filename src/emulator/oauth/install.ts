// Installing an app through the control API: the app gets its client id and secret, the
// installing user a token pair, and an install URL, if given, the installation callback
// (docs/bitrix24.md §7): form-encoded event=ONAPPINSTALL, data[...] and auth[...].
import { buildQuery } from '../php/build-query';
import type { Portal } from '../portal';
import type { App, NewApp } from '../store/apps';
import type { Grant } from './token-store';

export interface Installation {
    app: App;
    grant: Grant;
    /** The install URL's HTTP status, 0 when it could not be reached, null when there was none. */
    callbackStatus: number | null;
}

export async function installApp(portal: Portal, spec: NewApp, userId = 1): Promise<Installation> {
    return finishInstallation(portal, portal.apps.add(spec), userId);
}

/**
 * Installs an app the portal already knows once more, as a fresh installation: every token it
 * had stops working, its handlers are gone, and it gets a new application token.
 */
export async function reinstallApp(
    portal: Portal,
    app: App,
    installUrl: string | undefined,
    userId = 1,
): Promise<Installation> {
    portal.tokens.revokeClient(app.clientId);
    portal.bindings.remove((binding) => binding.appId === app.id);
    portal.apps.reinstall(app, installUrl);
    return finishInstallation(portal, app, userId);
}

async function finishInstallation(portal: Portal, app: App, userId: number): Promise<Installation> {
    const grant = portal.tokens.issue(app, userId);
    let callbackStatus: number | null = null;
    if (app.installUrl) {
        const body = buildQuery({
            event: 'ONAPPINSTALL',
            data: { VERSION: String(app.version), ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' },
            ts: portal.clock.nowSeconds(),
            auth: portal.delivery.grantAuth(app, grant, userId, true),
        });
        portal.counters.installCallbacksSent++;
        try {
            callbackStatus = (await portal.http.postForm(app.installUrl, body)).status;
        } catch {
            // Open question in docs/bitrix24.md §14.8: we keep the installation when the URL is unreachable.
            callbackStatus = 0;
        }
    }
    return { app, grant, callbackStatus };
}
