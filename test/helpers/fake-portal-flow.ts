import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import helper from 'node-red-node-test-helper';

import { FakePortal } from './fake-portal';
import type { FlowNode } from './node-flow';

/** A fresh user directory that the test helper's runtime uses from now on. */
export async function helperUserDir(): Promise<{ path: string; remove(): Promise<void> }> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'b24-flow-'));
    helper.settings({ userDir: dir });
    return { path: dir, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** What a node test against a fake portal needs: the portal and a user directory for the flow. */
export interface FakePortalFlow {
    portal: FakePortal;
    userDir: string;
    /** Unloads the flow, stops the portal and removes the user directory. */
    stop(): Promise<void>;
}

export async function startFakePortalFlow(): Promise<FakePortalFlow> {
    const portal = await new FakePortal().start();
    const userDir = await helperUserDir();
    return {
        portal,
        userDir: userDir.path,
        stop: async () => {
            await helper.unload();
            await portal.stop();
            await userDir.remove();
        },
    };
}

/**
 * A flow as the editor saves it: the portal config node global, the other nodes on a tab, and
 * our nodes pointed at that portal unless they say otherwise.
 */
export function onTab(portal: FlowNode, ...nodes: FlowNode[]): FlowNode[] {
    const onPortal = (node: FlowNode) => (node.type.startsWith('bitrix24-') ? { portal: portal.id } : {});
    return [
        portal,
        { id: 'tab', type: 'tab' },
        ...nodes.map((node) => ({ z: 'tab', ...onPortal(node), ...node })),
    ];
}
