import path from 'node:path';

import type { NodeAPI } from 'node-red';

import { FileDocumentStore, JsonFile } from '../../bitrix24/internal';
import { runtimeSettings } from './runtime-settings';

/** A file of this package in the Node-RED user directory; undefined without one (memory only). */
export function userDirFile(RED: NodeAPI, name: string): string | undefined {
    const { userDir } = runtimeSettings(RED);
    return typeof userDir === 'string' && userDir
        ? path.join(userDir, 'bitrix24', name.replace(/[^\w.-]/g, '_'))
        : undefined;
}

/** A JSON document of this package in the user directory; undefined without one. */
export function userDirDocument<T>(RED: NodeAPI, name: string): JsonFile<T> | undefined {
    const file = userDirFile(RED, name);
    return file ? new JsonFile<T>(file) : undefined;
}

/** The package's documents in the user directory (`<userDir>/bitrix24`); undefined without one. */
export function userDirStore(RED: NodeAPI): FileDocumentStore | undefined {
    const { userDir } = runtimeSettings(RED);
    return typeof userDir === 'string' && userDir
        ? new FileDocumentStore(path.join(userDir, 'bitrix24'))
        : undefined;
}
