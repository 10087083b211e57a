import { Bitrix24Client, type BucketProfile } from '../../bitrix24';
import { isObject } from '../../bitrix24/internal';

export interface TokenProbe {
    /** `app.info`'s `CODE`: the client id of the application the token belongs to. */
    clientId: unknown;
    /** `user.admin` of the token's user, when asked (undefined when not asked). */
    admin?: boolean;
}

/**
 * Tries an offered access token on a portal before anything is kept (docs/bitrix24.md §6, §7):
 * `app.info` names the application it belongs to, and `user.admin` whether its user is an
 * administrator (the installing admin's tokens are the ones that can use `event.offline.*`).
 * A token the portal does not know rejects with the portal's error.
 */
export async function probeToken(
    portalUrl: string,
    accessToken: string,
    rateLimit: BucketProfile,
    askAdmin = false,
): Promise<TokenProbe> {
    const probe = new Bitrix24Client({
        portalUrl,
        rateLimit,
        mergeCalls: false,
        auth: { type: 'oauth', tokens: { accessToken } },
    });
    try {
        const { result } = await probe.call('app.info');
        const clientId = isObject(result) ? result.CODE : undefined;
        if (!askAdmin) return { clientId };
        const admin = await probe.call('user.admin');
        return { clientId, admin: admin.result === true };
    } finally {
        await probe.close();
    }
}
