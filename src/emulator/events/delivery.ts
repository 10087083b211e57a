// Sends events to online handlers the way Bitrix's event server does (docs/bitrix24.md §6): a POST,
// form-encoded with PHP bracket notation, `auth[...]` with tokens of the acting user (none for
// user 0, i.e. robots and agents), `auth[application_token]` always; asynchronous, no retry.
import type { Clock } from '../clock';
import type { HttpClient } from '../http/client';
import type { Grant, TokenStore } from '../oauth/token-store';
import { buildQuery, type FormObject } from '../php/build-query';
import { clientEndpoint, serverEndpoint, type PortalInfo } from '../portal-info';
import type { App } from '../store/apps';
import type { UserStore } from '../store/users';

export class EventDelivery {
    constructor(
        private readonly info: PortalInfo,
        private readonly clock: Clock,
        private readonly tokens: TokenStore,
        private readonly users: UserStore,
        private readonly http: HttpClient,
        private readonly later: (callback: () => void, ms: number) => void,
    ) {}

    /** The auth[...] block: Sender::getAuth with sendAuth, optionally sendRefreshToken. */
    authFor(app: App, userId: number, withRefreshToken: boolean): FormObject {
        const user = this.users.get(userId);
        if (userId <= 0 || !user?.active) {
            return {
                domain: this.info.domain,
                member_id: this.info.memberId,
                application_token: app.applicationToken,
            };
        }
        return this.grantAuth(app, this.tokens.issue(app, userId), userId, withRefreshToken);
    }

    /** The auth[...] block for a grant already issued to `userId`. */
    grantAuth(app: App, grant: Grant, userId: number, withRefreshToken: boolean): FormObject {
        return {
            access_token: grant.accessToken,
            expires: grant.expires,
            expires_in: grant.expires - this.clock.nowSeconds(),
            scope: grant.scope.join(','),
            domain: this.info.domain,
            server_endpoint: serverEndpoint(this.info),
            status: app.status,
            client_endpoint: clientEndpoint(this.info),
            member_id: this.info.memberId,
            user_id: userId,
            refresh_token: withRefreshToken ? grant.refreshToken : undefined,
            application_token: app.applicationToken,
        };
    }

    /** Queues one POST, sent after `delayMs`; `onDone` learns whether the handler answered. Never retried. */
    post(
        url: string,
        payload: FormObject,
        onDone: (delivered: boolean) => void = () => undefined,
        delayMs = 0,
    ): void {
        const body = buildQuery(payload);
        const send = () => {
            this.http.postForm(url, body).then(
                (result) => onDone(result.status > 0),
                () => onDone(false),
            );
        };
        if (delayMs > 0) this.later(send, delayMs);
        else setImmediate(send);
    }

    eventPayload(eventName: string, handlerId: number, data: unknown, auth: FormObject): FormObject {
        const payload: FormObject = { event: eventName, event_handler_id: handlerId };
        // ONOFFLINEEVENT carries no data (docs/bitrix24.md §6): the key is simply absent in the form.
        if (data !== undefined && data !== null) payload.data = data as FormObject;
        payload.ts = this.clock.nowSeconds();
        payload.auth = auth;
        return payload;
    }
}
