import assert from 'node:assert/strict';

import WebSocket from 'ws';

import type { NodeRedProcess } from '../../dist/demo/node-red-process';
import type { StatusRowView, StatusSnapshot } from '../../dist/runtime/status/status-types';
import { until } from '../helpers/emulator-flow';

/**
 * Editor users as Node-RED's settings hold them (bcrypt hashes made once with bcryptjs, as in
 * test/security/admin-auth.spec.ts): a reader (scope `read`, which holds `bitrix24.read`), an
 * admin, and a user who may read flows only.
 */
export const USERS = {
    reader: {
        password: 'reader-password-1',
        hash: '$2b$08$EG8wjONAA.9xI/503npeHeiRW3.PEBhWpfWk1wem.RS03R8ob76cO',
        permissions: 'read',
    },
    admin: {
        password: 'admin-password-1',
        hash: '$2b$08$EBIAbYqCSwS/YN5L1SfoNek1T5L9Ns6GGbH94ETUMuYSej3hAQVBa',
        permissions: '*',
    },
    flowsOnly: {
        password: 'reader-password-1',
        hash: '$2b$08$EG8wjONAA.9xI/503npeHeiRW3.PEBhWpfWk1wem.RS03R8ob76cO',
        permissions: 'flows.read',
    },
} as const;

export type UserName = keyof typeof USERS;

export const ADMIN_AUTH = {
    adminAuth: {
        type: 'credentials',
        users: Object.entries(USERS).map(([username, user]) => ({
            username,
            password: user.hash,
            permissions: user.permissions,
        })),
    },
};

/** An editor token through Node-RED's own login (POST /auth/token, the password grant). */
export async function login(runtime: NodeRedProcess, username: UserName): Promise<string> {
    const response = await fetch(`${runtime.url}/auth/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
            client_id: 'node-red-editor',
            grant_type: 'password',
            scope: USERS[username].permissions,
            username,
            password: USERS[username].password,
        }),
    });
    assert.equal(response.status, 200, `login of ${username}`);
    return ((await response.json()) as { access_token: string }).access_token;
}

export function adminGet(runtime: NodeRedProcess, route: string, token?: string): Promise<Response> {
    return fetch(`${runtime.url}/bitrix24/${route}`, {
        headers: token ? { Authorization: `Bearer ${token}` } : {},
    });
}

export async function status(runtime: NodeRedProcess, token?: string): Promise<StatusSnapshot> {
    const response = await adminGet(runtime, 'status', token);
    assert.equal(response.status, 200);
    return (await response.json()) as StatusSnapshot;
}

/** The row of portal node `nodeId`, once `ready` says it has what the test needs. */
export async function rowWhen(
    runtime: NodeRedProcess,
    token: string | undefined,
    nodeId: string,
    ready: (row: StatusRowView) => boolean,
    what: string,
): Promise<StatusRowView> {
    let found: StatusRowView | undefined;
    await until(
        async () => {
            found = (await status(runtime, token)).rows.find((row) => row.nodeId === nodeId);
            return found !== undefined && ready(found);
        },
        20_000,
        what,
    );
    return found!;
}

/** The editor's socket with a token: every message on `topic`, as text. */
export async function commsMessages(
    runtime: NodeRedProcess,
    token: string,
    topic: string,
): Promise<{ texts: string[]; close(): void }> {
    const socket = new WebSocket(`${runtime.url.replace(/^http/, 'ws')}/comms`);
    await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
    });
    const texts: string[] = [];
    let authorised = false;
    socket.on('message', (data: Buffer) => {
        const messages = [JSON.parse(data.toString()) as unknown].flat() as {
            topic?: string;
            auth?: string;
        }[];
        for (const message of messages) {
            if (message.auth === 'ok') authorised = true;
            if (message.topic === topic) texts.push(JSON.stringify(message));
        }
    });
    socket.send(JSON.stringify({ auth: token }));
    await until(() => authorised, 5_000, 'the socket to accept the token');
    socket.send(JSON.stringify({ subscribe: topic }));
    return { texts, close: () => socket.terminate() };
}
