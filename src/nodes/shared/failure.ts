import type { NodeAPI } from 'node-red';

import { hasSharedText, sharedStatus, userError } from './i18n';
import type { StatusBadge } from './status';

/**
 * A failure as a node reports it: a translated, actionable error, and on the badge a short text
 * for its code (`status.failed.<CODE>`, a catalog key the editor translates), or "error: CODE"
 * for a code without one.
 */
export function failure(
    RED: NodeAPI,
    badge: StatusBadge,
    err: unknown,
    nodeType?: string,
): Error & { code?: string } {
    const error = userError(RED, err, nodeType);
    badge.show('red', 'ring', badgeText(RED, error.code ?? 'ERROR'));
    return error;
}

function badgeText(RED: NodeAPI, code: string): string {
    const short = `failed.${code}`;
    return /^\w+$/.test(code) && hasSharedText(RED, `status.${short}`)
        ? sharedStatus(RED, short)
        : sharedStatus(RED, 'error', { code });
}
