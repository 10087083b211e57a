import assert from 'node:assert/strict';

import type { NodeAPI } from 'node-red';

import { Bitrix24Error } from '../../dist/bitrix24';
import { SHARED_NAMESPACE, userError } from '../../dist/nodes/shared/i18n';
import catalog from '../../nodes/locales/en-US/bitrix24-portal.json';

/**
 * RED._ as a running Node-RED answers it (i18next, checked against @node-red/util): a key the
 * catalog lacks comes back without its `namespace:` part. The test helper returns it whole,
 * which is why node tests never saw the difference.
 */
function runtimeRed(): NodeAPI {
    const translate = (key: string, params: Record<string, string | number> = {}) => {
        const namespace = key.includes(':') ? key.slice(0, key.indexOf(':')) : '';
        const path = key.slice(key.indexOf(':') + 1);
        let entry: unknown = namespace === SHARED_NAMESPACE ? catalog : undefined;
        for (const part of path.split('.')) {
            entry =
                typeof entry === 'object' && entry !== null
                    ? (entry as Record<string, unknown>)[part]
                    : undefined;
        }
        if (typeof entry !== 'string') return path;
        return entry.replace(/__(\w+)__/g, (_, name: string) => String(params[name] ?? ''));
    };
    return { _: translate } as unknown as NodeAPI;
}

describe('error texts in a running Node-RED (i18next)', () => {
    it("falls back to the client's English message for a code the catalog does not translate", () => {
        const error = userError(
            runtimeRed(),
            new Bitrix24Error({
                code: 'INTERNAL_SERVER_ERROR',
                status: 500,
                method: 'batch',
                description: 'Internal server error',
            }),
        );
        assert.equal(error.message, 'batch: INTERNAL_SERVER_ERROR: Internal server error');
        assert.equal(error.code, 'INTERNAL_SERVER_ERROR');
    });

    it('uses the translation of a code the catalog knows', () => {
        const error = userError(
            runtimeRed(),
            new Bitrix24Error({ code: 'WRONG_AUTH_TYPE', status: 403, method: 'event.offline.get' }),
        );
        assert.equal(
            error.message,
            `${catalog.bitrix24.errors.WRONG_AUTH_TYPE} (event.offline.get: WRONG_AUTH_TYPE)`,
        );
    });
});
