import { unseal, type Sealed } from '../../auth/token-cipher';
import { Bitrix24Error, invalidConfig, LocalCode } from '../../errors';

/**
 * The one failure of the shared store that callers see: Redis is not connected, did not answer
 * within the command timeout, or refused the command. Retryable: the same call works once
 * Redis is back. The message names no key and no value.
 */
export function storeUnreachable(cause?: unknown): Bitrix24Error {
    const reason = cause instanceof Error ? cause.message : undefined;
    return new Bitrix24Error({
        code: LocalCode.StoreUnreachable,
        retryable: true,
        description: reason ? `Redis: ${reason}` : 'Redis is not connected',
        cause,
    });
}

/** Runs one store operation; any Redis failure becomes STORE_UNREACHABLE. */
export async function guarded<T>(operation: () => Promise<T>): Promise<T> {
    try {
        return await operation();
    } catch (err) {
        if (err instanceof Bitrix24Error) throw err;
        throw storeUnreachable(err);
    }
}

/** The plain text of a value sealed in the store; a clear error when the secret differs. */
export function unsealStored(sealed: Sealed, secret: string): string {
    try {
        return unseal(sealed, secret);
    } catch {
        throw invalidConfig(
            'secret',
            'store-secret-differs',
            'a value in the shared store was encrypted under another secret: every instance needs the same secret',
        );
    }
}
