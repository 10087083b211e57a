// startEmulator(): the portal listener (REST, the authorize page, the control API) and the
// OAuth server listener, with a preinstalled app whose tokens belong to administrator user 1.
import type { EmulatorControl } from './control/control-types';
import { selfSignedIdentity } from './http/self-signed';
import { resolveOptions, type EmulatorOptions } from './options';
import { Portal } from './portal';
import { hostPortal, portalTokenListener, urlHost, type HostedPortal } from './portal-host';

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

export async function startEmulator(options?: EmulatorOptions): Promise<Emulator> {
    const resolved = resolveOptions(options);
    const portal = new Portal(resolved);
    const tls = resolved.tls ? selfSignedIdentity(resolved.host) : undefined;
    const scheme = tls ? 'https' : 'http';
    const oauthListener = portalTokenListener(portal, () => portal.info.oauthServer, tls);
    const oauthPort = await oauthListener.listen(resolved.oauthPort, resolved.host);
    let hosted: HostedPortal;
    try {
        hosted = await hostPortal(portal, {
            resolved,
            tls,
            port: resolved.port,
            oauthServer: `${scheme}://${urlHost(resolved.host)}:${oauthPort}`,
        });
    } catch (error) {
        await oauthListener.close();
        throw error;
    }
    const { control } = hosted;

    const installed = await control.installApp({});
    const webhook = control.createWebhook({ userId: 1 });
    const webhookPath = new URL(webhook.url).pathname;

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
            await Promise.all([hosted.stop(), oauthListener.close()]);
        },
    };
}
