// startEmulatorFarm(): many emulated portals in one process, each on its own listener with its own
// member_id, administrator, queue, limits and store, all sharing ONE token server as real portals
// share Bitrix24's (docs/bitrix24.md §7). One Marketplace application (one client id and secret)
// can be installed on each of them; every installation has its own tokens and application token
// (docs/bitrix24.md §6, §7).
import type { IncomingMessage, ServerResponse } from 'node:http';

import { AppLifecycle, type FarmApp } from './farm/app-lifecycle';
import type { EmulatorFarm, FarmOptions, FarmPortal } from './farm/farm-types';
import { farmControlHandler, isFarmControl } from './farm/farm-http';
import { tokenOwner } from './farm/token-owner';
import { Listener } from './http/listener';
import { selfSignedIdentity } from './http/self-signed';
import { handleOAuthServer } from './oauth/oauth-server';
import { resolveOptions } from './options';
import { Portal } from './portal';
import { hostPortal, reportBug, urlHost, type HostedPortal } from './portal-host';
import { randomHex, randomSecret } from './random';

export type { EmulatorFarm, FarmOptions, FarmPortal } from './farm/farm-types';

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
