import type { NodeAPI } from 'node-red';

import { isBitrix24Error } from '../../bitrix24';

/** Strings shared by every node live in the portal node's catalog, under `bitrix24`. */
export const SHARED_NAMESPACE = '@b24sync/node-red-bitrix24/bitrix24-portal';

/** A shared string (`bitrix24.<key>`), in the editor's language. */
export function sharedText(RED: NodeAPI, key: string, params?: Record<string, string | number>): string {
    return translate(RED, `${SHARED_NAMESPACE}:bitrix24.${key}`, params) ?? key;
}

/**
 * A badge text. Without parameters it is the catalog key itself, with its namespace: the editor
 * translates a status text that is a key into the language of the user's browser, as it does for
 * core nodes' `node-red:common.status...` (docs/node-red.md §1.6). A text with parameters cannot
 * travel as a key, so it is translated here, in the runtime's language.
 */
export function sharedStatus(RED: NodeAPI, key: string, params?: Record<string, string | number>): string {
    return params ? sharedText(RED, `status.${key}`, params) : `${SHARED_NAMESPACE}:bitrix24.status.${key}`;
}

/** Whether the shared catalog has `bitrix24.<key>`. */
export function hasSharedText(RED: NodeAPI, key: string): boolean {
    return translate(RED, `${SHARED_NAMESPACE}:bitrix24.${key}`) !== undefined;
}

/**
 * An error as users should read it: the translation of its Bitrix24 code (or, for bad input,
 * of its reason), falling back to the client's English message. The code stays on the error.
 * With `nodeType`, the node's own catalog (`<nodeType>.errors...`) is asked first, so that a
 * node can say what to change in its own form; the shared catalog is the fallback.
 */
export function userError(RED: NodeAPI, err: unknown, nodeType?: string): Error & { code?: string } {
    if (!isBitrix24Error(err)) return err instanceof Error ? err : new Error(String(err));
    const params = {
        method: err.method ?? '',
        code: err.code,
        description: err.description,
        feature: err.feature ?? '',
        argument: err.argument ?? '',
        ...err.params,
    };
    const keys = err.reason ? [`errors.invalid.${err.reason}`] : [`errors.${err.code}`];
    // A missing plan feature has its own text, naming the plan and the user's choice.
    if (!err.reason && err.code === 'WRONG_LICENSE' && err.feature)
        keys.unshift(`errors.license.${err.feature}`);
    const text =
        keys
            .map((key) => (nodeType ? translate(RED, `${nodeType}.${key}`, params) : undefined))
            .find(Boolean) ??
        keys.map((key) => translate(RED, `${SHARED_NAMESPACE}:bitrix24.${key}`, params)).find(Boolean);
    const message = text === undefined ? err.message : appendDetail(text, err);
    return Object.assign(new Error(message), { code: err.code, name: 'Bitrix24Error' });
}

function appendDetail(
    text: string,
    err: { method?: string; code: string; description: string; reason?: string },
): string {
    if (err.reason) return text;
    const where = [err.method, err.code].filter(Boolean).join(': ');
    return err.description ? `${text} (${where}: ${err.description})` : `${text} (${where})`;
}

/**
 * RED._ returns the key when the catalog lacks it: without its `namespace:` part in a real
 * runtime (i18next), whole in the test helper.
 */
function translate(RED: NodeAPI, key: string, params?: Record<string, string | number>): string | undefined {
    const text = RED._(key, params);
    return text === key || text === key.slice(key.indexOf(':') + 1) ? undefined : text;
}
