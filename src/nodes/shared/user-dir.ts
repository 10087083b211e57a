import path from 'node:path';

import type { NodeAPI } from 'node-red';

/** A file of this package in the Node-RED user directory; undefined without one (memory only). */
export function userDirFile(RED: NodeAPI, name: string): string | undefined {
    const userDir = (RED.settings as { userDir?: unknown }).userDir;
    return typeof userDir === 'string' && userDir
        ? path.join(userDir, 'bitrix24', name.replace(/[^\w.-]/g, '_'))
        : undefined;
}
