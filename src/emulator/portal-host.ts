// One emulated portal on the network: its listener (REST, the authorize page, the control API),
// the addresses it names, and the listeners a rename or a regional token server adds. The token
// server it names is given: its own (startEmulator) or the one a farm of portals shares.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { controlHandler } from './control/control-http';
import { createControl } from './control/control';
import type { EmulatorControl } from './control/control-types';
import { Listener } from './http/listener';
import { redirect, sendText } from './http/response';
import type { TlsIdentity } from './http/self-signed';
import { handleAuthorize } from './oauth/authorize-page';
import { handleOAuthServer } from './oauth/oauth-server';
import type { ResolvedOptions } from './options';
import type { Portal } from './portal';
import { setTokenServer } from './portal-info';
import { RestHttp } from './rest/http-handler';
import { buildMethodTable } from './rest/methods';
import { RestProcessor } from './rest/process';

export interface PortalHostSetup {
    resolved: ResolvedOptions;
    tls: TlsIdentity | undefined;
    /** The port of the portal's first listener (0: any free port). */
    port: number;
    /** The base URL of the token server listener the portal belongs to (its `oauthServer`). */
    oauthServer: string;
}

export interface HostedPortal {
    readonly portal: Portal;
    readonly control: EmulatorControl;
    /** Closes the portal's listeners, timers and outgoing requests. */
    stop(): Promise<void>;
}

export function reportBug(error: unknown): void {
    process.stderr.write(
        `b24-emulator: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
}

export function urlHost(host: string): string {
    return host.includes(':') ? `[${host}]` : host;
}

/** A token server listener serving one portal; `base()` is its URL once it listens. */
export function portalTokenListener(portal: Portal, base: () => string, tls?: TlsIdentity): Listener {
    return new Listener(
        (request, response) => handleOAuthServer(request, response, () => portal, base()),
        reportBug,
        tls,
    );
}

export async function hostPortal(portal: Portal, setup: PortalHostSetup): Promise<HostedPortal> {
    const { resolved, tls } = setup;
    const scheme = tls ? 'https' : 'http';
    // batch calls back into the processor that owns the method table: tie the knot lazily.
    const methods = buildMethodTable(() => processor);
    const processor: RestProcessor = new RestProcessor(portal, methods);
    const restHttp = new RestHttp(portal, processor);

    const isControl = (url: URL) => url.pathname === '/_emulator' || url.pathname.startsWith('/_emulator/');
    const serve = async (request: IncomingMessage, response: ServerResponse) => {
        const url = new URL(request.url ?? '/', 'http://portal.invalid');
        if (isControl(url)) return controlHttp(request, response, url);
        if (url.pathname.startsWith('/rest/')) return restHttp.handle(request, response, url);
        request.resume();
        if (/^\/oauth\/authorize\/?$/.test(url.pathname)) return handleAuthorize(portal, url, response);
        sendText(response, 404, 'Not found');
    };
    /** A renamed portal's old address: 302 to the same path on the new one (docs/bitrix24.md §15.4). */
    const moved = async (request: IncomingMessage, response: ServerResponse) => {
        const url = new URL(request.url ?? '/', 'http://portal.invalid');
        if (isControl(url)) return controlHttp(request, response, url);
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
    const listeners: Listener[] = [portalListener];

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
            const listener = portalTokenListener(portal, () => base, tls);
            const port = await listener.listen(0, resolved.host);
            listeners.push(listener);
            base = `${scheme}://${urlHost(resolved.host)}:${port}`;
            setTokenServer(portal.info, base);
            portal.regionalTokenServer = true;
            return base;
        },
    });
    const controlHttp = controlHandler(control);

    const port = await portalListener.listen(setup.port, resolved.host);
    const host = urlHost(resolved.host);
    const oauth = new URL(setup.oauthServer);
    portal.info.portalUrl = `${scheme}://${host}:${port}`;
    portal.info.domain = `${host}:${port}`;
    portal.info.oauthServer = `${oauth.protocol}//${oauth.host}`;
    portal.info.oauthDomain = oauth.host;
    setTokenServer(portal.info, portal.tokenServerOption ?? portal.info.oauthServer);
    if (resolved.regionalTokenServer) await control.startRegionalTokenServer();

    let stopped = false;
    return {
        portal,
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
