import type { Bitrix24Error } from '../errors';

export interface RequestCredentials {
    /** Added to the request body, e.g. `{auth: <access token>}`; empty for webhooks. */
    params: Record<string, string>;
    /** The token sent, so that a failure can tell whether someone refreshed since. */
    token?: string;
}

/** How requests prove who they come from: an incoming webhook or an OAuth application. */
export interface Authenticator {
    readonly kind: 'webhook' | 'oauth';
    /** URL that method names are appended to, e.g. `https://portal/rest/`. */
    readonly restBase: string;
    /**
     * Who the portal charges a method's operating time to: the auth kind and the application or
     * webhook (docs/bitrix24.md §8, §15). Holds no secret.
     */
    readonly budgetKey: string;
    credentials(): Promise<RequestCredentials>;
    /** After an auth failure: true when a retry may now succeed (tokens were refreshed). */
    recover(error: Bitrix24Error, sent: RequestCredentials): Promise<boolean>;
    /** Values that must never appear in a message. */
    secrets(): string[];
}
