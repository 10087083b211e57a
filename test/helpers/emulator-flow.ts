import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { NodeAPI } from 'node-red';
import helper from 'node-red-node-test-helper';

import { startEmulator, timingFromEnv, type Emulator, type EmulatorOptions } from '../../dist/emulator';

export { until } from '../../dist/demo/wait';

/**
 * What a node test against the emulator needs: a running emulator whose preinstalled app is
 * bound to deal events offline, a user directory, and the portal config node for a flow.
 */
export interface Bench {
    emulator: Emulator;
    userDir: string;
    /** The portal config node and its credentials, for helper.load. */
    portal(extra?: Record<string, unknown>): {
        node: Record<string, unknown> & { id: string; type: string };
        credentials: Record<string, string>;
    };
    rest<T = unknown>(
        method: string,
        params?: Record<string, unknown>,
    ): Promise<{ result?: T; error?: string; total?: number }>;
    stop(): Promise<void>;
}

export async function startBench(
    options: EmulatorOptions = {},
    events = ['ONCRMDEALADD', 'ONCRMDEALUPDATE', 'ONCRMDEALDELETE'],
): Promise<Bench> {
    const emulator = await startEmulator({ ...timingFromEnv(), ...options }); // CI: a run with real timing
    const userDir = await fs.mkdtemp(path.join(os.tmpdir(), 'b24-flow-'));
    helper.settings({ userDir });
    const rest = async <T>(method: string, params: Record<string, unknown> = {}) => {
        const response = await fetch(`${emulator.portalUrl}/rest/${method}.json`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ ...params, auth: emulator.app.accessToken }),
        });
        return (await response.json()) as { result?: T; error?: string; total?: number };
    };
    for (const event of events) {
        const bound = await rest('event.bind', { event, event_type: 'offline' });
        if (bound.error) throw new Error(`binding ${event}: ${bound.error}`);
    }
    return {
        emulator,
        userDir,
        rest,
        portal: (extra = {}) => ({
            node: {
                id: 'portal',
                type: 'bitrix24-portal',
                portalUrl: emulator.portalUrl,
                authType: 'oauth',
                oauthServer: emulator.oauthServer,
                rateLimit: 'custom',
                burst: 1000,
                rps: 1000,
                ...extra,
            },
            credentials: {
                clientId: emulator.app.clientId,
                clientSecret: emulator.app.clientSecret,
                accessToken: emulator.app.accessToken,
                refreshToken: emulator.app.refreshToken,
                applicationToken: emulator.app.applicationToken,
            },
        }),
        stop: async () => {
            await emulator.stop();
            await fs.rm(userDir, { recursive: true, force: true });
        },
    };
}

/** A core node module of the Node-RED under test (NODE_RED_PATH in compatibility runs). */
export function coreNode(file: string): (red: NodeAPI) => void {
    const base = path.dirname(require.resolve(`${process.env.NODE_RED_PATH ?? 'node-red'}/package.json`));
    const nodesDir = path.dirname(require.resolve('@node-red/nodes/package.json', { paths: [base] }));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- core nodes are CommonJS modules found at run time
    return require(path.join(nodesDir, 'core', file)) as (red: NodeAPI) => void;
}

/** Collects every msg a helper node receives. */
export function collect(id: string): Record<string, unknown>[] {
    const msgs: Record<string, unknown>[] = [];
    helper.getNode(id).on('input', (msg: Record<string, unknown>) => msgs.push(msg));
    return msgs;
}
