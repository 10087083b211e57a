// The farm's control API over HTTP, on the shared token server's listener (not part of Bitrix24):
// GET /_emulator/farm lists the portals, POST /_emulator/farm/<index>/<action> drives one.
// Each portal's own /_emulator/... stays on its own listener. Documented in docs/emulator.md.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { readBody } from '../http/request';
import { sendJson } from '../http/response';
import type { BlockCode } from './app-lifecycle';
import type { EmulatorFarm, FarmPortal } from './farm-types';

type Json = Record<string, unknown>;

export function isFarmControl(pathname: string): boolean {
    return pathname === '/_emulator/farm' || pathname.startsWith('/_emulator/farm/');
}

function entry(portal: FarmPortal) {
    return {
        index: portal.index,
        portalUrl: portal.portalUrl,
        domain: portal.domain,
        memberId: portal.memberId,
    };
}

async function act(portal: FarmPortal, action: string, body: Json): Promise<unknown> {
    switch (action) {
        case 'install':
            if (typeof body.url !== 'string' || !/^https?:\/\//.test(body.url)) {
                throw new Error(
                    'install needs {"url": "http(s)://..."}: the handler to POST the installation to',
                );
            }
            return portal.install(body.url);
        case 'uninstall':
            await portal.uninstall({ clean: body.clean === true });
            return { ok: true };
        case 'update':
            await portal.update();
            return { ok: true };
        case 'block':
            if (body.code !== null && body.code !== undefined && typeof body.code !== 'string') {
                throw new Error(
                    'block needs {"code": "PAYMENT_REQUIRED" | "PORTAL_DELETED" | "WRONG_LICENSE" | null}',
                );
            }
            portal.block((body.code ?? undefined) as BlockCode | undefined);
            return { ok: true };
        case 'admin':
            if (typeof body.admin !== 'boolean') throw new Error('admin needs {"admin": true | false}');
            portal.setAdmin(body.admin);
            return { ok: true };
        default:
            return undefined;
    }
}

export function farmControlHandler(farm: EmulatorFarm) {
    return async (request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> => {
        const raw = await readBody(request);
        const parts = url.pathname
            .split('/')
            .filter((part) => part !== '')
            .slice(2);
        const method = request.method ?? 'GET';
        const notFound = () =>
            sendJson(response, 404, JSON.stringify({ error: `no farm endpoint ${method} ${url.pathname}` }));
        try {
            if (parts.length === 0 && method === 'GET') {
                sendJson(
                    response,
                    200,
                    JSON.stringify({
                        oauthServer: farm.oauthServer,
                        app: farm.app,
                        portals: farm.portals.map(entry),
                    }),
                );
                return;
            }
            const index = /^\d+$/.test(parts[0] ?? '') ? Number(parts[0]) : -1;
            const portal = farm.portals[index];
            if (!portal) return notFound();
            if (parts.length === 1 && method === 'GET') {
                sendJson(response, 200, JSON.stringify(entry(portal)));
                return;
            }
            if (parts.length !== 2 || method !== 'POST') return notFound();
            const body = raw.trim() === '' ? {} : (JSON.parse(raw) as Json);
            const result = await act(portal, parts[1], body);
            if (result === undefined) return notFound();
            sendJson(response, 200, JSON.stringify(result));
        } catch (error) {
            sendJson(
                response,
                400,
                JSON.stringify({ error: error instanceof Error ? error.message : String(error) }),
            );
        }
    };
}
