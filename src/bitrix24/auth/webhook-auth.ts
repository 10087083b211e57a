import { createHash } from 'node:crypto';

import type { WebhookUrl } from '../portal-url';
import type { Authenticator, RequestCredentials } from './authenticator';

/** An incoming webhook: the secret is in the URL, and it cannot use event.* (docs/bitrix24.md §7). */
export class WebhookAuth implements Authenticator {
    readonly kind = 'webhook';
    readonly restBase: string;
    readonly budgetKey: string;

    constructor(private readonly hook: WebhookUrl) {
        this.restBase = hook.base;
        const id = createHash('sha256').update(hook.base).digest('hex').slice(0, 16);
        this.budgetKey = `webhook:${id}`;
    }

    credentials(): Promise<RequestCredentials> {
        return Promise.resolve({ params: {} });
    }

    recover(): Promise<boolean> {
        return Promise.resolve(false);
    }

    secrets(): string[] {
        return [this.hook.secret];
    }
}
