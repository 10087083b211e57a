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
    const app = portal.apps.add(spec);
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
