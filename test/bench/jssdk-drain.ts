import { B24OAuth } from '@bitrix24/b24jssdk';

import type { Emulator } from '../../dist/emulator';

interface OfflineGet {
    process_id: string | null;
    events: unknown[];
}

/**
 * What a user would otherwise write with the official JS SDK: get with clear=0, clear, repeat
 * until the queue is empty, with the SDK's own limiter set to the portal's bucket.
 */
export async function jssdkDrain(
    emulator: Emulator,
    limit: number,
    profile: { burst: number; rps: number },
): Promise<void> {
    const b24 = new B24OAuth(
        {
            applicationToken: emulator.app.applicationToken,
            userId: 1,
            memberId: emulator.app.memberId,
            accessToken: emulator.app.accessToken,
            refreshToken: emulator.app.refreshToken,
            expires: Math.floor(Date.now() / 1000) + 3600,
            expiresIn: 3600,
            scope: 'crm',
            domain: new URL(emulator.portalUrl).host,
            clientEndpoint: `${emulator.portalUrl}/rest/`,
            serverEndpoint: `${emulator.oauthServer}/rest/`,
            status: 'L',
        },
        { clientId: emulator.app.clientId, clientSecret: emulator.app.clientSecret },
        {
            restrictionParams: {
                rateLimit: { burstLimit: profile.burst, drainRate: profile.rps, adaptiveEnabled: true },
            },
        },
    );
    b24.offClientSideWarning();
    for (;;) {
        const got = await b24.actions.v2.call.make<OfflineGet>({
            method: 'event.offline.get',
            params: { clear: 0, limit },
        });
        if (!got.isSuccess) throw new Error(`event.offline.get: ${got.getErrorMessages().join('; ')}`);
        const { process_id: processId, events } = got.getData()!.result;
        if (events.length === 0) return;
        const cleared = await b24.actions.v2.call.make({
            method: 'event.offline.clear',
            params: { process_id: processId },
        });
        if (!cleared.isSuccess)
            throw new Error(`event.offline.clear: ${cleared.getErrorMessages().join('; ')}`);
    }
}
