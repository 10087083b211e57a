// Incoming webhooks (b_rest_ap): `<portal>/rest/<user>/<secret>/<method>` runs as that user with
// the webhook's scope list (docs/bitrix24.md §7).
import { randomLowerAlnum } from '../random';

export interface Webhook {
    /** password_id: the entity the operating-time budget is counted for (docs/bitrix24.md §8). */
    id: number;
    userId: number;
    secret: string;
    scope: string[];
}

export class WebhookStore {
    private readonly hooks: Webhook[] = [];

    add(userId: number, scope: string[], secret = randomLowerAlnum(16)): Webhook {
        const hook: Webhook = { id: this.hooks.length + 1, userId, secret, scope };
        this.hooks.push(hook);
        return hook;
    }

    find(userId: number, secret: string): Webhook | undefined {
        return this.hooks.find((hook) => hook.userId === userId && hook.secret === secret);
    }
}
