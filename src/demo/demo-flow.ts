import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export type FlowNode = Record<string, unknown> & { id: string; type: string };

/** Where the demo's copy of example 01 talks to. */
/** The portal node's OAuth credentials. */
export interface AppCredentials {
    clientId: string;
    clientSecret: string;
    accessToken: string;
    refreshToken: string;
    applicationToken: string;
}

/** The credentials of an installed app (the emulator's preinstalled one), nothing else. */
export function appCredentials(app: AppCredentials): AppCredentials {
    const { clientId, clientSecret, accessToken, refreshToken, applicationToken } = app;
    return { clientId, clientSecret, accessToken, refreshToken, applicationToken };
}

export interface DemoTargets {
    portalUrl: string;
    oauthServer: string;
    credentials: AppCredentials;
    /** The http request node posts each change here. */
    sinkUrl: string;
    /** How often the inject node starts a read (the example says 30). */
    pollSeconds: number;
}

/** The example the demo deploys: it counts events one by one (get per event, clear per event). */
export const DEMO_EXAMPLE = '01';

/** Reads `examples/<number> - <title>.json`. */
export function readExample(examplesDir: string, number: string): { title: string; nodes: FlowNode[] } {
    const file = readdirSync(examplesDir).find(
        (name) => name.startsWith(`${number} - `) && name.endsWith('.json'),
    );
    if (!file) throw new Error(`no example ${number} in ${examplesDir}`);
    const nodes = JSON.parse(readFileSync(path.join(examplesDir, file), 'utf8')) as FlowNode[];
    return { title: file.slice(0, -'.json'.length), nodes };
}

/**
 * Example 01 pointed at the emulator and the local sink: the portal node gets the emulator's
 * URLs and the preinstalled app's credentials, the http request node the sink, and the inject
 * node a shorter interval so the badges move often. Everything else is the example as shipped.
 */
export function demoFlow(examplesDir: string, targets: DemoTargets): FlowNode[] {
    const { title, nodes } = readExample(examplesDir, DEMO_EXAMPLE);
    const flow = nodes.map((node) => ({ ...node }));
    const one = (type: string) => {
        const found = flow.filter((node) => node.type === type);
        if (found.length !== 1) throw new Error(`example ${DEMO_EXAMPLE} should have one ${type} node`);
        return found[0];
    };
    Object.assign(one('bitrix24-portal'), {
        name: 'Emulator',
        portalUrl: targets.portalUrl,
        oauthServer: targets.oauthServer,
        authType: 'oauth',
        rateLimit: 'standard',
        credentials: { ...targets.credentials },
    });
    Object.assign(one('http request'), { url: targets.sinkUrl });
    Object.assign(one('inject'), { repeat: String(targets.pollSeconds) });
    const tab = one('comment').z;
    if (typeof tab !== 'string') throw new Error(`example ${DEMO_EXAMPLE} has no tab id`);
    return [{ id: tab, type: 'tab', label: title, disabled: false, info: '' }, ...flow];
}
