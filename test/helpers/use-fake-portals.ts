import assert from 'node:assert/strict';

import { Bitrix24Client, type Bitrix24ClientOptions, type OAuthTokens } from '../../dist/bitrix24';
import { FakePortal } from './fake-portal';

type ClientAuth = Bitrix24ClientOptions['auth'];

/** A getter per named fake portal, and `connect`, whose clients are closed after the test. */
export type FakePortals<Name extends string> = Record<Name, () => FakePortal> & {
    /** A client of `portal`, paced as fast as the tests need; `extra` adds or replaces options. */
    connect: (portal: FakePortal, auth: ClientAuth, extra?: Partial<Bitrix24ClientOptions>) => Bitrix24Client;
};

/**
 * Registers hooks that start one fake portal per name before each test of the enclosing describe
 * and, after it, close every client `connect` made and stop the portals.
 */
export function useFakePortals<Name extends string>(...names: Name[]): FakePortals<Name> {
    const clients: Bitrix24Client[] = [];
    const portals = new Map<Name, FakePortal>();
    beforeEach(async () => {
        for (const name of names) portals.set(name, await new FakePortal().start());
    });
    afterEach(async () => {
        await Promise.all(clients.splice(0).map((client) => client.close(0)));
        await Promise.all([...portals.values()].map((portal) => portal.stop()));
        portals.clear();
    });
    const getters = Object.fromEntries(
        names.map((name) => [
            name,
            () => portals.get(name) ?? assert.fail(`no fake portal ${name} outside a test`),
        ]),
    ) as Record<Name, () => FakePortal>;
    return {
        ...getters,
        connect: (portal, auth, extra = {}) => {
            const client = new Bitrix24Client({
                portalUrl: portal.url,
                auth,
                rateLimit: { burst: 50, rps: 100 },
                ...extra,
            });
            clients.push(client);
            return client;
        },
    };
}

/** The incoming webhook of user 1 on `portal`. */
export function webhookAuth(portal: FakePortal, secret: string): ClientAuth {
    return { type: 'webhook', webhookUrl: `${portal.url}/rest/1/${secret}/` };
}

/** The OAuth application `local.<app>` with `tokens`, `portal` serving as its token server too. */
export function oauthAuth(portal: FakePortal, app: string, tokens: OAuthTokens): ClientAuth {
    return {
        type: 'oauth',
        clientId: `local.${app}`,
        clientSecret: `${app}-client-secret`,
        oauthServer: portal.url,
        tokens,
    };
}
