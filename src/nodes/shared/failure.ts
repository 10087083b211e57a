import type { NodeAPI } from 'node-red';

import { sharedText, userError } from './i18n';
import type { StatusBadge } from './status';

/** A failure as a node reports it: "error: CODE" on its badge, a translated, actionable error. */
export function failure(
    RED: NodeAPI,
    badge: StatusBadge,
    err: unknown,
    nodeType?: string,
): Error & { code?: string } {
    const error = userError(RED, err, nodeType);
    badge.show('red', 'ring', sharedText(RED, 'status.error', { code: error.code ?? 'ERROR' }));
    return error;
}
