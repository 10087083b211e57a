// startEmulatorFarm(): many emulated portals in one process, each on its own listener with its own
// member_id, administrator, queue, limits and store, all sharing ONE token server as real portals
// share Bitrix24's (docs/bitrix24.md §7). One Marketplace application (one client id and secret)
// can be installed on each of them; every installation has its own tokens and application token
// (docs/bitrix24.md §6, §7).
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { EmulatorControl } from './control/control-types';
import { AppLifecycle, type BlockCode, type FarmApp } from './farm/app-lifecycle';
import { farmControlHandler, isFarmControl } from './farm/farm-http';
import { tokenOwner } from './farm/token-owner';
import { Listener } from './http/listener';
import { selfSignedIdentity } from './http/self-signed';
import { handleOAuthServer } from './oauth/oauth-server';
import { resolveOptions, type EmulatorOptions } from './options';
import { Portal } from './portal';
import { hostPortal, reportBug, urlHost, type HostedPortal } from './portal-host';
import { randomHex, randomSecret } from './random';

export interface FarmOptions extends EmulatorOptions {
    /** How many portals, 1 or more. With `port` set, portal i listens on port + i. */
    portals: number;
}

export interface EmulatorFarm {
    /** The one token server every portal names (token endpoint at oauthServer + '/oauth/token/'). */
    readonly oauthServer: string;
    /** The application, the same on every portal (a Marketplace application). */
    readonly app: FarmApp;
    readonly portals: FarmPortal[];
    /** With `tls`: the self-signed certificate (PEM) of every listener; else null. */
    readonly certificate: string | null;
    portalByMemberId(memberId: string): FarmPortal | undefined;
    /** Closes every listener, timer and outgoing request of every portal. */
    stop(): Promise<void>;
}

export interface FarmPortal {
    readonly index: number;
    /** http://127.0.0.1:<port> */
    readonly portalUrl: string;
    /** 127.0.0.1:<port>, what auth[domain] carries. */
    readonly domain: string;
    readonly memberId: string;
    /** Changes, counters, faults and offline stats of this portal. */
    readonly control: EmulatorControl;
    /**
     * Installs the application (again: a fresh installation with new tokens and a new
     * application token) and POSTs the installation form to `url`; resolves with its HTTP
     * status (0 when it could not be reached).
     */
    install(url: string): Promise<{ status: number }>;
    /** Removes the app: its tokens stop working, ONAPPUNINSTALL goes to its bound handlers. */
    uninstall(options?: { clean?: boolean }): Promise<void>;
    /** A new version: ONAPPUPDATE to its bound handlers, which are then gone (bind again). */
    update(): Promise<void>;
    /** Every REST call of the app answers with this code from now on; undefined: normal. */
    block(code: BlockCode | undefined): void;
    /** The installing user (1) loses (false) or regains administrator rights. */
    setAdmin(isAdmin: boolean): void;
}

/** The farm's application: a Marketplace-style client id, the same on every portal. */
function newFarmApp(): FarmApp {
    return { clientId: `app.${randomHex(14)}.${randomHex(8)}`, clientSecret: randomSecret(50) };
}

function farmPortal(index: number, hosted: HostedPortal, app: FarmApp): FarmPortal {
    const { portal, control } = hosted;
    const lifecycle = new AppLifecycle(portal, app);
    return {
        index,
        get portalUrl() {
            return portal.info.portalUrl;
        },
        get domain() {
            return portal.info.domain;
        },
        memberId: portal.info.memberId,
        control,
        install: (url) => lifecycle.install(url),
        uninstall: (options) => lifecycle.uninstall(options?.clean === true),
        update: () => lifecycle.update(),
        block: (code) => lifecycle.setBlock(code),
        setAdmin: (isAdmin) => lifecycle.setAdmin(isAdmin),
    };
}

export async function startEmulatorFarm(options: FarmOptions): Promise<EmulatorFarm> {
    const count = options.portals;
    if (!Number.isInteger(count) || count < 1) {
        throw new Error(`portals must be a whole number, 1 or more (got ${String(count)})`);
    }
    const resolved = resolveOptions(options);
    const tls = resolved.tls ? selfSignedIdentity(resolved.host) : undefined;
    const scheme = tls ? 'https' : 'http';
    const app = newFarmApp();
    // Distinct dice per portal: portal i uses seeds seed + 2i and seed + 2i + 1.
    const portals = Array.from(
        { length: count },
        (_, index) => new Portal({ ...resolved, seed: resolved.seed + 2 * index }),
    );

    let base = '';
    /** The farm control API, set once the farm exists (until then the listener only serves tokens). */
    const routes: {
        control?: (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void>;
    } = {};
    const tokenListener = new Listener(
        async (request, response) => {
            const url = new URL(request.url ?? '/', 'http://oauth.invalid');
            if (routes.control && isFarmControl(url.pathname)) return routes.control(request, response, url);
            return handleOAuthServer(request, response, (read) => tokenOwner(portals, read), base);
        },
        reportBug,
        tls,
    );
    const oauthPort = await tokenListener.listen(resolved.oauthPort, resolved.host);
    base = `${scheme}://${urlHost(resolved.host)}:${oauthPort}`;

    const hosted: HostedPortal[] = [];
    const stop = async () => {
        await Promise.all([...hosted.map((one) => one.stop()), tokenListener.close()]);
    };
    try {
        const started = await Promise.allSettled(
            portals.map((portal, index) =>
                hostPortal(portal, {
                    resolved,
                    tls,
                    port: resolved.port === 0 ? 0 : resolved.port + index,
                    oauthServer: base,
                }),
            ),
        );
        for (const result of started) if (result.status === 'fulfilled') hosted.push(result.value);
        const failed = started.find(
            (result): result is PromiseRejectedResult => result.status === 'rejected',
        );
        if (failed) throw failed.reason;
    } catch (error) {
        await stop();
        throw error;
    }

    const farmPortals = hosted.map((one, index) => farmPortal(index, one, app));
    const byMemberId = new Map(farmPortals.map((portal) => [portal.memberId, portal]));
    let stopped = false;
    const farm: EmulatorFarm = {
        oauthServer: base,
        app,
        portals: farmPortals,
        certificate: tls?.cert ?? null,
        portalByMemberId: (memberId) => byMemberId.get(memberId),
        stop: async () => {
            if (stopped) return;
            stopped = true;
            await stop();
        },
    };
    routes.control = farmControlHandler(farm);
    return farm;
}
