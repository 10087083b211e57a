import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';

import type { NodeRedProcess } from '../../dist/demo/node-red-process';
import { startEmulator, type Emulator } from '../../dist/emulator';
import { emulatorPortalNode } from '../../dist/demo/portal-node';
import { startRuntime } from '../helpers/node-red-runtime';

/**
 * Editor users as Node-RED's settings hold them: bcrypt hashes of the passwords below, made once
 * with bcryptjs (Node-RED's own bcrypt dependency): `require('bcryptjs').hashSync(password, 8)`.
 */
const USERS = {
    reader: {
        password: 'reader-password-1',
        hash: '$2b$08$EG8wjONAA.9xI/503npeHeiRW3.PEBhWpfWk1wem.RS03R8ob76cO',
    },
    admin: {
        password: 'admin-password-1',
        hash: '$2b$08$EBIAbYqCSwS/YN5L1SfoNek1T5L9Ns6GGbH94ETUMuYSej3hAQVBa',
    },
};

/**
 * The admin routes of the portal node with `adminAuth` on, in a real runtime: the test helper
 * stubs RED.auth.needsPermission (docs/node-red.md §5), so only a real one can show that
 * Test connection needs bitrix24-portal.read and Connect bitrix24-portal.write.
 */
describe('security: the admin routes need the right permission when adminAuth is on', function () {
    this.timeout(60_000);
    let emulator: Emulator;
    let runtime: NodeRedProcess;
    let userDir: string;
    let stop: () => Promise<void>;
    const tokens: Record<keyof typeof USERS, string> = { reader: '', admin: '' };

    before(async () => {
        emulator = await startEmulator();
        ({ runtime, userDir, stop } = await startRuntime({
            adminAuth: {
                type: 'credentials',
                users: [
                    { username: 'reader', password: USERS.reader.hash, permissions: 'read' },
                    { username: 'admin', password: USERS.admin.hash, permissions: '*' },
                ],
            },
        }));
        tokens.reader = await login('reader', 'read');
        tokens.admin = await login('admin', '*');
        const application = {
            id: 'app',
            type: 'bitrix24-portal',
            multiPortal: true,
            publicUrl: 'https://nodered.example.com',
            credentials: { clientId: 'app.0123456789abcd.12345678', clientSecret: 'application-secret-1' },
        };
        await runtime.deploy([emulatorPortalNode(emulator), application], {
            token: tokens.admin,
            started: true,
        });
    });

    after(async () => {
        await stop?.();
        await emulator?.stop();
    });

    /** An editor token through Node-RED's own login (POST /auth/token, the password grant). */
    async function login(username: keyof typeof USERS, scope: string): Promise<string> {
        const response = await fetch(`${runtime.url}/auth/token`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({
                client_id: 'node-red-editor',
                grant_type: 'password',
                scope,
                username,
                password: USERS[username].password,
            }),
        });
        assert.equal(response.status, 200, `login of ${username}`);
        return ((await response.json()) as { access_token: string }).access_token;
    }

    function post(route: string, token?: string) {
        return fetch(`${runtime.url}/bitrix24/portal/portal/${route}`, {
            method: 'POST',
            headers: token ? { Authorization: `Bearer ${token}` } : {},
        });
    }

    it('answers Test connection and Connect with 401 without an editor token', async () => {
        assert.equal((await post('test')).status, 401);
        assert.equal((await post('authorize')).status, 401);
        assert.equal((await post('test', 'not-a-token-0000')).status, 401);
    });

    it("lists an application's installations only to an editor user with read permission", async () => {
        const url = `${runtime.url}/bitrix24/portal/app/installations`;
        assert.equal((await fetch(url)).status, 401);
        const response = await fetch(url, { headers: { Authorization: `Bearer ${tokens.reader}` } });
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), {
            installUrl: 'https://nodered.example.com/bitrix24/app/app/install',
            eventUrl: 'https://nodered.example.com/bitrix24/app/app/event',
            installations: [],
        });
    });

    it('lets a user with read permission test the connection', async () => {
        const response = await post('test', tokens.reader);
        assert.equal(response.status, 200);
        assert.equal(((await response.json()) as { ok: boolean }).ok, true);
    });

    it('refuses Connect to a user with read permission only, issuing no state', async () => {
        // Node-RED answers a missing permission with 401, like a missing token
        // (@node-red/editor-api lib/auth/index.js, needsPermission); the same token may test.
        const response = await post('authorize', tokens.reader);
        assert.equal(response.status, 401);
        assert.doesNotMatch(await response.text(), /state=/);
        assert.equal((await post('test', tokens.reader)).status, 200);
    });

    it('lets a user with full permission test and connect', async () => {
        assert.equal((await post('test', tokens.admin)).status, 200);
        const response = await post('authorize', tokens.admin);
        assert.equal(response.status, 200);
        const url = new URL(((await response.json()) as { url: string }).url);
        assert.ok(url.searchParams.get('state'));
    });

    it('completes Connect only with a state issued to an authorised user', async () => {
        const code = async (authorizeUrl: URL) => {
            authorizeUrl.searchParams.set('redirect_uri', 'https://nodered.example.com/callback');
            const res = await fetch(authorizeUrl, { redirect: 'manual' });
            return new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
        };
        // The browser comes back from the portal without an editor token: the state is the proof.
        const callback = (query: Record<string, string>) =>
            fetch(`${runtime.url}/bitrix24/portal/oauth/callback?${new URLSearchParams(query).toString()}`);
        const issued = await post('authorize', tokens.admin);
        const authorizeUrl = new URL(((await issued.json()) as { url: string }).url);
        const state = authorizeUrl.searchParams.get('state') ?? '';

        assert.equal((await callback({ code: await code(authorizeUrl), state: 'f'.repeat(48) })).status, 403);
        assert.equal(emulator.control.counters().codeExchanges, 0);

        assert.equal((await callback({ code: await code(authorizeUrl), state })).status, 200);
        assert.equal(emulator.control.counters().codeExchanges, 1);
        const file = path.join(userDir, 'bitrix24', 'tokens-portal.json');
        assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    });
});
