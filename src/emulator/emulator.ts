// startEmulator(): the portal listener (REST, the authorize page, the control API) and the
// OAuth server listener, with a preinstalled app whose tokens belong to administrator user 1.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { controlHandler } from './control/control-http';
import { createControl } from './control/control';
import type { EmulatorControl } from './control/control-types';
import { Listener } from './http/listener';
import { selfSignedIdentity } from './http/self-signed';
import { redirect, sendText } from './http/response';
import { handleAuthorize } from './oauth/authorize-page';
import { handleOAuthServer, sendOAuthFailure } from './oauth/oauth-server';
import { resolveOptions, type EmulatorOptions } from './options';
import { Portal } from './portal';
import { setTokenServer } from './portal-info';
import { RestHttp } from './rest/http-handler';
import { buildMethodTable } from './rest/methods';
import { RestProcessor } from './rest/process';

export interface EmulatorApp {
    clientId: string;
    clientSecret: string;
    accessToken: string;
    refreshToken: string;
    /** Unix seconds when accessToken expires, on the emulator's clock. */
    expires: number;
    applicationToken: string;
    memberId: string;
}

export interface Emulator {
    /** e.g. 'http://127.0.0.1:40123' (REST at portalUrl + '/rest/'); the new address after a rename. */
    readonly portalUrl: string;
    /** e.g. 'http://127.0.0.1:40124' (token endpoint at oauthServer + '/oauth/token/'). */
    readonly oauthServer: string;
    /** portalUrl + '/rest/1/<secret>/': an incoming webhook of administrator user 1. */
    readonly webhookUrl: string;
    /** The preinstalled app; its tokens belong to administrator user 1. No binding is made. */
    app: EmulatorApp;
    /** With `tls`: the self-signed certificate (PEM) a client must trust; else null. */
    certificate: string | null;
    control: EmulatorControl;
    /** Closes every listener and every timer and outgoing request. */
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
    const tls = resolved.tls ? selfSignedIdentity(resolved.host) : undefined;
    const scheme = tls ? 'https' : 'http';
    // batch calls back into the processor that owns the method table: tie the knot lazily.
    const methods = buildMethodTable(() => processor);
    const processor: RestProcessor = new RestProcessor(portal, methods);
    const restHttp = new RestHttp(portal, processor);
    let webhookPath = '';

    const serve = async (request: IncomingMessage, response: ServerResponse) => {
        const url = new URL(request.url ?? '/', 'http://portal.invalid');
        if (url.pathname === '/_emulator' || url.pathname.startsWith('/_emulator/')) {
            return controlHttp(request, response, url);
        }
        if (url.pathname.startsWith('/rest/')) return restHttp.handle(request, response, url);
        request.resume();
        if (/^\/oauth\/authorize\/?$/.test(url.pathname)) return handleAuthorize(portal, url, response);
        sendText(response, 404, 'Not found');
    };
    /** A renamed portal's old address: 302 to the same path on the new one (docs/bitrix24.md §15.4). */
    const moved = async (request: IncomingMessage, response: ServerResponse) => {
        const url = new URL(request.url ?? '/', 'http://portal.invalid');
        if (url.pathname === '/_emulator' || url.pathname.startsWith('/_emulator/')) {
            return controlHttp(request, response, url);
        }
        request.resume();
        redirect(response, `${portal.info.portalUrl}${url.pathname}${url.search}`);
    };
    /** Only the newest portal listener serves; earlier ones (a renamed portal's old names) redirect. */
    let current = 0;
    const portalListenerAt = (index: number): Listener =>
        new Listener(
            (request, response) => (index === current ? serve : moved)(request, response),
            reportBug,
            tls,
        );

    const portalListener = portalListenerAt(0);
    /** A token server listener; `base()` is its URL once it listens. */
    const tokenListener = (base: () => string): Listener =>
        new Listener(
            async (request, response) => {
                // With a regional token server, the other region does not know this portal's apps.
                if (portal.regionalTokenServer && base() !== portal.info.tokenServer) {
                    request.resume();
                    return sendOAuthFailure(response, 401, 'invalid_client', 'Invalid client credentials');
                }
                return handleOAuthServer(portal, request, response);
            },
            reportBug,
            tls,
        );
    const oauthListener = tokenListener(() => portal.info.oauthServer);
    const listeners: Listener[] = [portalListener, oauthListener];

    const control = createControl(portal, {
        renamePortal: async (host) => {
            const index = listeners.length;
            const listener = portalListenerAt(index);
            const newHost = host ?? resolved.host;
            const port = await listener.listen(0, newHost);
            listeners.push(listener);
            // Every earlier address now answers 302 to the new one; the portal keeps its member_id.
            const previous = portal.info.portalUrl;
            current = index;
            portal.info.portalUrl = `${scheme}://${urlHost(newHost)}:${port}`;
            portal.info.domain = `${urlHost(newHost)}:${port}`;
            return { portalUrl: portal.info.portalUrl, previousUrl: previous };
        },
        setTokenServer: (baseUrl) => {
            portal.regionalTokenServer = false;
            setTokenServer(portal.info, baseUrl ?? portal.info.oauthServer);
        },
        startRegionalTokenServer: async () => {
            let base = '';
            const listener = tokenListener(() => base);
            const port = await listener.listen(0, resolved.host);
            listeners.push(listener);
            base = `${scheme}://${urlHost(resolved.host)}:${port}`;
            setTokenServer(portal.info, base);
            portal.regionalTokenServer = true;
            return base;
        },
    });
    const controlHttp = controlHandler(control);

    const port = await portalListener.listen(resolved.port, resolved.host);
    let oauthPort: number;
    try {
        oauthPort = await oauthListener.listen(resolved.oauthPort, resolved.host);
    } catch (error) {
        await portalListener.close();
        throw error;
    }
    const host = urlHost(resolved.host);
    portal.info.portalUrl = `${scheme}://${host}:${port}`;
    portal.info.domain = `${host}:${port}`;
    portal.info.oauthServer = `${scheme}://${host}:${oauthPort}`;
    portal.info.oauthDomain = `${host}:${oauthPort}`;
    setTokenServer(portal.info, portal.tokenServerOption ?? portal.info.oauthServer);
    if (resolved.regionalTokenServer) await control.startRegionalTokenServer();

    const installed = await control.installApp({});
    const webhook = control.createWebhook({ userId: 1 });
    webhookPath = new URL(webhook.url).pathname;

    let stopped = false;
    return {
        get portalUrl() {
            return portal.info.portalUrl;
        },
        get oauthServer() {
            return portal.info.oauthServer;
        },
        get webhookUrl() {
            return `${portal.info.portalUrl}${webhookPath}`;
        },
        app: {
            clientId: installed.clientId,
            clientSecret: installed.clientSecret,
            accessToken: installed.accessToken,
            refreshToken: installed.refreshToken,
            expires: installed.expires,
            applicationToken: installed.applicationToken,
            memberId: installed.memberId,
        },
        certificate: tls?.cert ?? null,
        control,
        stop: async () => {
            if (stopped) return;
            stopped = true;
            portal.timers.stop();
            portal.http.stop();
            await Promise.all(listeners.map((listener) => listener.close()));
        },
    };
}
