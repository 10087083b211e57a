import type { NodeAPI } from 'node-red';

import { runtimeSettings } from './runtime-settings';

/**
 * The install and event URLs of an application installed on many portals, as its settings in
 * Bitrix24 take them: `<publicUrl><httpNodeRoot>bitrix24/app/<id>/install` and `.../event`.
 */
export function appUrls(
    RED: NodeAPI,
    publicUrl: string,
    id: string,
): { installUrl: string; eventUrl: string } {
    const root = runtimeSettings(RED).httpNodeRoot;
    const nodeRoot = `/${typeof root === 'string' ? root : ''}/`.replace(/\/+/g, '/');
    const base = `${publicUrl.trim().replace(/\/+$/, '')}${nodeRoot}bitrix24/app/${encodeURIComponent(id)}`;
    return { installUrl: `${base}/install`, eventUrl: `${base}/event` };
}
