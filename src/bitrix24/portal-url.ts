import { invalidConfig } from './errors';

/**
 * Checks a portal address such as `https://example.bitrix24.com` and returns its origin
 * (scheme, host, port; no path). The error never repeats the input, which may hold a secret.
 */
export function parsePortalUrl(input: unknown): URL {
    const url = toHttpUrl(input);
    if (!url) {
        throw invalidConfig(
            'portalUrl',
            'portal-url',
            'the portal URL must be an http(s) URL such as https://example.bitrix24.com',
        );
    }
    return new URL(url.origin);
}

export interface WebhookUrl {
    /** `https://<portal>/rest/<user>/<secret>/`, always with the trailing slash. */
    base: string;
    origin: string;
    userId: number;
    secret: string;
}

/** Parses an incoming-webhook URL `https://<portal>/rest/<user id>/<secret>/` (docs/bitrix24.md §7). */
export function parseWebhookUrl(input: unknown): WebhookUrl {
    const url = toHttpUrl(input);
    const match =
        url && /^\/rest\/(\d+)\/([A-Za-z0-9_-]+)\/?(?:[a-z0-9_.]+(?:\.json)?)?$/i.exec(url.pathname);
    if (!url || !match) {
        throw invalidConfig(
            'webhookUrl',
            'webhook-url',
            'the webhook URL must look like https://<portal>/rest/<user id>/<secret>/ (copy it from the portal\'s "Inbound webhook" page)',
        );
    }
    const [, userId, secret] = match;
    return {
        base: `${url.origin}/rest/${userId}/${secret}/`,
        origin: url.origin,
        userId: Number(userId),
        secret,
    };
}

/** The host used to key per-portal state (the rate limiter). */
export function portalHost(url: URL | string): string {
    return (typeof url === 'string' ? new URL(url) : url).host.toLowerCase();
}

function toHttpUrl(input: unknown): URL | undefined {
    if (typeof input !== 'string' || input.trim() === '') return undefined;
    try {
        const url = new URL(input.trim());
        return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname ? url : undefined;
    } catch {
        return undefined;
    }
}
