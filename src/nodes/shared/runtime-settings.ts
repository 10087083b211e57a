import type { NodeAPI } from 'node-red';

/** The runtime settings (settings.js) this package reads, declared once; each may be absent. */
export interface RuntimeSettings {
    /** false: the runtime serves no node routes (docs/node-red.md §2.8). */
    httpNodeRoot?: unknown;
    userDir?: unknown;
    credentialSecret?: unknown;
    /** `{ queueIntervalSeconds }`: how often the status reads each queue while someone looks (≥ 1, default 60). */
    bitrix24Status?: unknown;
    /** Settings the runtime keeps itself, such as the credential secret it generated. */
    get?: (key: string) => unknown;
}

export function runtimeSettings(RED: NodeAPI): RuntimeSettings {
    return RED.settings;
}
