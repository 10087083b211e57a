// The portal's authorize page for the code flow (docs/bitrix24.md §7): /oauth/authorize/?client_id&state
// redirects (302) to the app's redirect URI with code (valid 30 s), state, domain, member_id,
// scope and server_domain. The signed-in user is user 1 unless `user_id` says otherwise (an
// emulator extension: there is no login form).
import type { ServerResponse } from 'node:http';

import { redirect, sendText } from '../http/response';
import type { Portal } from '../portal';

export function handleAuthorize(portal: Portal, url: URL, response: ServerResponse): void {
    const app = portal.apps.byClientId(url.searchParams.get('client_id'));
    if (!app || !app.installed) {
        sendText(response, 404, 'The application is not installed on this portal.');
        return;
    }
    const target = url.searchParams.get('redirect_uri') ?? app.redirectUri;
    if (!target) {
        sendText(response, 400, 'The application has no redirect URI.');
        return;
    }
    const userId = Number(url.searchParams.get('user_id') ?? '1');
    if (!portal.users.get(userId)?.active) {
        sendText(response, 403, 'Unknown user.');
        return;
    }
    const location = new URL(target);
    location.searchParams.set('code', portal.tokens.issueCode(app, userId));
    location.searchParams.set('state', url.searchParams.get('state') ?? '');
    location.searchParams.set('domain', portal.info.domain);
    location.searchParams.set('member_id', portal.info.memberId);
    location.searchParams.set('scope', app.scope.join(','));
    location.searchParams.set('server_domain', portal.info.tokenDomain);
    redirect(response, location.toString());
}
