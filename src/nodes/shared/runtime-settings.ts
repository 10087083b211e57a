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

/** The secret Node-RED encrypts credentials with: the user's, else the one it generated. */
export function credentialSecret(RED: NodeAPI): string | undefined {
    const settings = runtimeSettings(RED);
    if (settings.credentialSecret === false) return undefined;
    if (typeof settings.credentialSecret === 'string' && settings.credentialSecret)
        return settings.credentialSecret;
    try {
        const generated = settings.get?.('_credentialSecret');
        return typeof generated === 'string' && generated ? generated : undefined;
    } catch {
        return undefined;
    }
}
