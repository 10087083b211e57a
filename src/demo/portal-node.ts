import { appCredentials, type AppCredentials, type FlowNode } from './demo-flow';

/** Where a portal node talks to: the emulator, or a test's fake portal. */
export interface PortalTarget {
    portalUrl: string;
    oauthServer: string;
}

/**
 * The portal config node of a flow pointed at `target`, with OAuth; `overrides` adds or replaces
 * properties (an id, a rate limit, inline `credentials` for a deploy through the admin API).
 */
export function portalNode(target: PortalTarget, overrides: Record<string, unknown> = {}): FlowNode {
    return {
        id: 'portal',
        type: 'bitrix24-portal',
        portalUrl: target.portalUrl,
        authType: 'oauth',
        oauthServer: target.oauthServer,
        ...overrides,
    };
}

/** A rate limit far above what a test or the benchmark asks for, so that it does not pace them. */
export const UNPACED = { rateLimit: 'custom', burst: 1000, rps: 1000 } as const;

/**
 * The portal node on the emulator's preinstalled app, unpaced unless `overrides` says otherwise,
 * with the app's credentials inline: what a deploy through the admin API sends.
 */
export function emulatorPortalNode(
    emulator: PortalTarget & { app: AppCredentials },
    overrides: Record<string, unknown> = {},
): FlowNode {
    return portalNode(emulator, { ...UNPACED, credentials: appCredentials(emulator.app), ...overrides });
}
