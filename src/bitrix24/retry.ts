import type { Bitrix24Error } from './errors';
import { LocalCode } from './errors';

/**
 * When a failed request is sent again (docs/bitrix24.md §8, and the peers' lessons in peers.md §2):
 * - 503 QUERY_LIMIT_EXCEEDED: always; the portal refused it before running it.
 * - 429 OPERATION_TIME_LIMIT: after the method's budget resets (the caller computes the wait).
 * - 5xx, network errors and timeouts: only when resending cannot do a write twice.
 */
export const RETRY_ATTEMPTS = { rate: 10, operating: 3, transient: 4 } as const;

export type RetryKind = keyof typeof RETRY_ATTEMPTS;

export function retryKind(error: Bitrix24Error, repeatable: boolean): RetryKind | undefined {
    if (error.code === LocalCode.CallDeadline) return undefined;
    if (error.code === 'QUERY_LIMIT_EXCEEDED') return 'rate';
    if (error.code === 'OPERATION_TIME_LIMIT') return 'operating';
    if (isTransient(error) && (error.retryable || repeatable)) return 'transient';
    return undefined;
}

export function isTransient(error: Bitrix24Error): boolean {
    if (
        error.code === LocalCode.Network ||
        error.code === LocalCode.Timeout ||
        error.code === LocalCode.ConnectionLost ||
        // The call's time ran out while a request was away, or after transient failures:
        // its answer may be lost (a read may have reserved rows). It is not sent again.
        error.code === LocalCode.CallDeadline
    ) {
        return true;
    }
    // OVERLOAD_LIMIT is a manual block by Bitrix24 staff, not a passing fault.
    return error.status !== undefined && error.status >= 500 && error.code !== 'OVERLOAD_LIMIT';
}

/** Exponential back-off with ±20 % jitter, never above `capMs`. */
export function backoff(baseMs: number, attempt: number, capMs: number): number {
    const plain = Math.min(capMs, baseMs * 2 ** (attempt - 1));
    return Math.min(capMs, Math.round(plain * (0.8 + Math.random() * 0.4)));
}
