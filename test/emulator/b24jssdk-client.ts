// Runs in a child process of b24jssdk.spec.ts: the official JS SDK against an emulator that
// speaks HTTPS with a self-signed certificate (trusted through NODE_EXTRA_CA_CERTS, set for this
// process only). Prints one JSON line per scenario: {name, ok, value?, error?}.
import { B24Hook, B24OAuth, type AjaxResult } from '@bitrix24/b24jssdk';

interface Setup {
    webhookUrl: string;
    portalUrl: string;
    serverEndpoint: string;
    clientId: string;
    clientSecret: string;
    accessToken: string;
    refreshToken: string;
    memberId: string;
    applicationToken: string;
    dealCount: number;
}

const setup = JSON.parse(process.env.B24_SDK_SETUP ?? '{}') as Setup;

function report(name: string, outcome: { ok: boolean; value?: unknown; error?: string }): void {
    process.stdout.write(JSON.stringify({ name, ...outcome }) + '\n');
}

async function scenario(name: string, run: () => Promise<unknown>): Promise<void> {
    try {
        report(name, { ok: true, value: await run() });
    } catch (error) {
        report(name, { ok: false, error: error instanceof Error ? error.message : String(error) });
    }
}

function unwrap<T>(response: {
    isSuccess: boolean;
    getErrorMessages(): string[];
    getData(): T | null | undefined;
}): T {
    if (!response.isSuccess) throw new Error(response.getErrorMessages().join('; '));
    const data = response.getData();
    if (data === null || data === undefined) throw new Error('no data');
    return data;
}

async function main(): Promise<void> {
    const hook = B24Hook.fromWebhookUrl(setup.webhookUrl);
    hook.offClientSideWarning();

    await scenario('webhook call', async () => {
        const reply = unwrap(await hook.actions.v2.call.make<boolean>({ method: 'user.admin' }));
        return reply.result;
    });

    await scenario('paged list (callList, start=-1)', async () => {
        const items = unwrap(
            await hook.actions.v2.callList.make<{ id: number }>({
                method: 'crm.item.list',
                params: { entityTypeId: 2, select: ['id'] },
                idKey: 'id',
                customKeyForResult: 'items',
            }),
        );
        return items.length;
    });

    await scenario('paged list (start, next, total)', async () => {
        const reply = await hook.actions.v2.call.make<unknown>({
            method: 'crm.item.list',
            params: { entityTypeId: 2, start: 50 },
        });
        unwrap(reply);
        return { more: reply.isMore(), total: reply.getTotal() };
    });

    await scenario('batch with references', async () => {
        const response = await hook.actions.v2.batch.make<{ item: { title: string } }>({
            calls: {
                add: ['crm.item.add', { entityTypeId: 2, fields: { title: 'From the SDK' } }],
                get: ['crm.item.get', { entityTypeId: 2, id: '$result[add][item][id]' }],
            },
            options: { isHaltOnError: true, returnAjaxResult: true },
        });
        if (!response.isSuccess) throw new Error(response.getErrorMessages().join('; '));
        // Named commands with returnAjaxResult: one AjaxResult per name.
        const results = response.getData() as Record<string, AjaxResult<{ item: { title: string } }>>;
        return results.get.getData()?.result.item.title;
    });

    let refreshed: { accessToken: string; refreshToken: string } | null = null;
    const oauth = new B24OAuth(
        {
            applicationToken: setup.applicationToken,
            userId: 1,
            memberId: setup.memberId,
            accessToken: setup.accessToken,
            refreshToken: setup.refreshToken,
            // The SDK believes the token is fresh; the portal says it expired: a reactive refresh.
            expires: Math.floor(Date.now() / 1000) + 3600,
            expiresIn: 3600,
            scope: 'crm,task,user',
            domain: new URL(setup.portalUrl).host,
            clientEndpoint: `${setup.portalUrl}/rest/`,
            serverEndpoint: setup.serverEndpoint,
            status: 'L',
        },
        { clientId: setup.clientId, clientSecret: setup.clientSecret },
    );
    oauth.offClientSideWarning();
    oauth.setCallbackRefreshAuth(({ b24OAuthParams }) => {
        refreshed = { accessToken: b24OAuthParams.accessToken, refreshToken: b24OAuthParams.refreshToken };
        return Promise.resolve();
    });

    await scenario('OAuth refresh on an expired token', async () => {
        const reply = unwrap(await oauth.actions.v2.call.make<boolean>({ method: 'user.admin' }));
        return { admin: reply.result, refreshed };
    });

    await scenario('event.bind offline', async () => {
        const reply = unwrap(
            await oauth.actions.v2.call.make<boolean>({
                method: 'event.bind',
                params: { event: 'ONCRMDEALUPDATE', event_type: 'offline' },
            }),
        );
        // Three webhook writes: rows for the app (a webhook's writes always echo).
        for (let id = 1; id <= 3; id++) {
            unwrap(
                await hook.actions.v2.call.make({
                    method: 'crm.item.update',
                    params: { entityTypeId: 2, id, fields: { title: `Changed ${id}` } },
                }),
            );
        }
        return reply.result;
    });

    let processId: string | null = null;
    await scenario('event.offline.get with clear=0', async () => {
        const reply = unwrap(
            await oauth.actions.v2.call.make<{ process_id: string | null; events: { EVENT_NAME: string }[] }>(
                {
                    method: 'event.offline.get',
                    params: { clear: 0, limit: 2 },
                },
            ),
        );
        processId = reply.result.process_id;
        return { processId, events: reply.result.events.map((event) => event.EVENT_NAME) };
    });

    await scenario('event.offline.clear', async () => {
        const reply = unwrap(
            await oauth.actions.v2.call.make<boolean>({
                method: 'event.offline.clear',
                params: { process_id: processId },
            }),
        );
        return reply.result;
    });

    await scenario('event.offline.list', async () => {
        const reply = unwrap(
            await oauth.actions.v2.call.make<{ EVENT_NAME: string; PROCESS_ID: string }[]>({
                method: 'event.offline.list',
            }),
        );
        return reply.result.map((row) => [row.EVENT_NAME, row.PROCESS_ID]);
    });
}

main().catch((error: unknown) => {
    report('setup', { ok: false, error: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
});
