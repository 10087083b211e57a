import { createHash, timingSafeEqual } from 'node:crypto';

import { isObject, parseForm, type ParsedForm } from '../../bitrix24/internal';

/**
 * `msg.payload` of a ring, what the portal said and never a token (design: "msg conventions");
 * a poll tick has the same shape with `event: 'poll'`.
 */
export interface Ring {
    event: 'ONOFFLINEEVENT' | 'poll';
    /** Unix seconds when the portal sent it (`ts`), or null when absent. */
    ts: number | null;
    domain: string;
    member_id: string;
}

const DOORBELL = 'ONOFFLINEEVENT';

/**
 * Tells a genuine `ONOFFLINEEVENT` call from a forged one by its `auth[application_token]`
 * (docs/bitrix24.md §6): compared in constant time with the token the installation gave, and refused
 * whenever that token is unknown (fail closed).
 */
export class RingVerifier {
    constructor(private readonly expectedToken: () => Promise<string | undefined>) {}

    /** Whether a ring can pass at all: without a known token every call is refused. */
    async canVerify(): Promise<boolean> {
        return !!(await this.expectedToken().catch(() => undefined));
    }

    /** The ring in a request body, or undefined when the call must be ignored. */
    async verifyBody(body: string): Promise<Ring | undefined> {
        let form: ParsedForm;
        try {
            // The portal's event server encodes every field correctly: a broken escape is a forgery.
            form = parseForm(body, { strict: true });
        } catch {
            return undefined;
        }
        return this.verify(form);
    }

    /** The ring, or undefined when the call must be ignored. */
    async verify(form: ParsedForm): Promise<Ring | undefined> {
        const auth = isObject(form.auth) ? form.auth : {};
        const given = typeof auth.application_token === 'string' ? auth.application_token : '';
        if (typeof form.event !== 'string' || form.event.toUpperCase() !== DOORBELL) return undefined;
        // What the portal sends as one value is one value: a list in its place is not a ring.
        if (![form.ts, auth.domain, auth.member_id].every(isTextOrAbsent)) return undefined;
        const expected = await this.expectedToken().catch(() => undefined);
        if (!expected || !given || !sameSecret(given, expected)) return undefined;
        const ts = typeof form.ts === 'string' && /^\d+$/.test(form.ts) ? Number(form.ts) : null;
        return {
            event: DOORBELL,
            ts,
            domain: typeof auth.domain === 'string' ? auth.domain : '',
            member_id: typeof auth.member_id === 'string' ? auth.member_id : '',
        };
    }
}

function isTextOrAbsent(value: unknown): boolean {
    return value === undefined || typeof value === 'string';
}

/** Equal-length digests, so neither the content nor the length of the secret leaks by timing. */
export function sameSecret(given: string, expected: string): boolean {
    const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
    return timingSafeEqual(digest(given), digest(expected));
}
