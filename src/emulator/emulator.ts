// startEmulator(): the portal listener (REST, the authorize page, the control API) and the
// OAuth server listener, with a preinstalled app whose tokens belong to administrator user 1.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { controlHandler } from './control/control-http';
import { createControl } from './control/control';
import type { EmulatorControl } from './control/control-types';
import { Listener } from './http/listener';
import { sendText } from './http/response';
import { handleAuthorize } from './oauth/authorize-page';
import { handleOAuthServer } from './oauth/oauth-server';
import { resolveOptions, type EmulatorOptions } from './options';
import { Portal } from './portal';
import { RestHttp } from './rest/http-handler';
import { buildMethodTable } from './rest/methods';
import { RestProcessor } from './rest/process';

export interface EmulatorApp {
    clientId: string;
    clientSecret: string;
    accessToken: string;
    refreshToken: string;
    applicationToken: string;
    memberId: string;
}

export interface Emulator {
    /** e.g. 'http://127.0.0.1:40123' (REST at portalUrl + '/rest/'). */
    portalUrl: string;
    /** e.g. 'http://127.0.0.1:40124' (token endpoint at oauthServer + '/oauth/token/'). */
    oauthServer: string;
    /** portalUrl + '/rest/1/<secret>/': an incoming webhook of administrator user 1. */
    webhookUrl: string;
    /** The preinstalled app; its tokens belong to administrator user 1. No binding is made. */
    app: EmulatorApp;
    control: EmulatorControl;
    /** Closes both listeners and every timer and outgoing request. */
    stop(): Promise<void>;
}

function reportBug(error: unknown): void {
    process.stderr.write(
        `b24-emulator: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
}

function urlHost(host: string): string {
    return host.includes(':') ? `[${host}]` : host;
}

export async function startEmulator(options?: EmulatorOptions): Promise<Emulator> {
    const resolved = resolveOptions(options);
    const portal = new Portal(resolved);
    // batch calls back into the processor that owns the method table: tie the knot lazily.
    const methods = buildMethodTable(() => processor);
    const processor: RestProcessor = new RestProcessor(portal, methods);
    const restHttp = new RestHttp(portal, processor);
    const control = createControl(portal);
    const controlHttp = controlHandler(control);

    const portalListener = new Listener(async (request: IncomingMessage, response: ServerResponse) => {
        const url = new URL(request.url ?? '/', 'http://portal.invalid');
        if (url.pathname.startsWith('/rest/')) return restHttp.handle(request, response, url);
        if (url.pathname === '/_emulator' || url.pathname.startsWith('/_emulator/')) {
            return controlHttp(request, response, url);
        }
        request.resume();
        if (/^\/oauth\/authorize\/?$/.test(url.pathname)) return handleAuthorize(portal, url, response);
        sendText(response, 404, 'Not found');
    }, reportBug);
    const oauthListener = new Listener(
        (request, response) => handleOAuthServer(portal, request, response),
        reportBug,
    );

    const port = await portalListener.listen(resolved.port, resolved.host);
    let oauthPort: number;
    try {
        oauthPort = await oauthListener.listen(resolved.oauthPort, resolved.host);
    } catch (error) {
        await portalListener.close();
        throw error;
    }
    const host = urlHost(resolved.host);
    portal.info.portalUrl = `http://${host}:${port}`;
    portal.info.domain = `${host}:${port}`;
    portal.info.oauthServer = `http://${host}:${oauthPort}`;
    portal.info.oauthDomain = `${host}:${oauthPort}`;

    const installed = await control.installApp({});
    const webhook = control.createWebhook({ userId: 1 });

    let stopped = false;
    return {
        portalUrl: portal.info.portalUrl,
        oauthServer: portal.info.oauthServer,
        webhookUrl: webhook.url,
        app: {
            clientId: installed.clientId,
            clientSecret: installed.clientSecret,
            accessToken: installed.accessToken,
            refreshToken: installed.refreshToken,
            applicationToken: installed.applicationToken,
            memberId: installed.memberId,
        },
        control,
        stop: async () => {
            if (stopped) return;
            stopped = true;
            portal.timers.stop();
            portal.http.stop();
            await Promise.all([portalListener.close(), oauthListener.close()]);
        },
    };
}
