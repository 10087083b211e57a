// The control API over HTTP: JSON in, JSON out, under /_emulator/ on the portal listener.
// Every endpoint is documented in docs/emulator.md.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { readBody } from '../http/request';
import { sendJson } from '../http/response';
import type { EmulatorControl } from './control-types';
import type { Plan } from '../store/features';
import type { UserChange } from './user-change';

type Json = Record<string, unknown>;
type Route = (body: Json, url: URL) => unknown;

function routes(control: EmulatorControl): Record<string, Route> {
    return {
        'GET /state': () => control.state(),
        'POST /apps': (body) => control.installApp(body),
        'POST /apps/state': (body) => {
            control.setAppState(String(body.clientId), body);
            return { ok: true };
        },
        'POST /apps/uninstall': (body) => {
            control.uninstallApp(String(body.clientId));
            return { ok: true };
        },
        'POST /tokens': (body) => control.issueTokens(body),
        'GET /tokens': () => control.issuedTokens(),
        'POST /webhooks': (body) => control.createWebhook(body),
        'POST /users': (body) => control.addUser(body),
        'POST /smart-processes': (body) => {
            control.addSmartProcess(Number(body.entityTypeId));
            return { ok: true };
        },
        'POST /changes': (body) =>
            Array.isArray(body)
                ? (body as UserChange[]).map((change) => control.userChange(change))
                : control.userChange(body as unknown as UserChange),
        'POST /generator/start': (body) => control.startGenerator(body),
        'POST /generator/stop': () => control.stopGenerator(),
        'GET /generator': () => control.generatorStatus(),
        'POST /plan': (body) => {
            control.setPlan(
                (body.plan as Plan | undefined) ?? control.state().plan,
                body.features as Record<string, boolean> | undefined,
            );
            return control.state();
        },
        'POST /features': (body) => {
            control.setFeatures(body as Record<string, boolean>);
            return control.state().features;
        },
        'POST /limits': (body) => {
            control.setLimits(body);
            return { ok: true };
        },
        'POST /clock': (body) => control.setClock(body),
        'POST /faults': (body) => control.injectFaults(body),
        'DELETE /faults': () => {
            control.clearFaults();
            return { ok: true };
        },
        'POST /faults/expire-tokens': () => ({ expired: control.expireAccessTokens() }),
        'POST /faults/revoke-tokens': () => ({ revoked: control.revokeAccessTokens() }),
        'POST /portal/delete': (body) => {
            control.deletePortal(body.deleted !== false);
            return { ok: true };
        },
        'POST /portal/rename': (body) =>
            control.renamePortal({ host: typeof body.host === 'string' ? body.host : undefined }),
        'POST /token-server': (body) => {
            control.setTokenServer(typeof body.url === 'string' ? body.url : null);
            return { tokenServer: control.state().tokenServer };
        },
        'POST /token-server/regional': () => control.startRegionalTokenServer(),
        'POST /quirks': (body) => control.setQuirks(body),
        'GET /counters': () => control.counters(),
        'POST /counters/reset': () => {
            control.resetCounters();
            return { ok: true };
        },
        'GET /queue': (_body, url) =>
            control.queueRows({
                clientId: url.searchParams.get('clientId') ?? undefined,
                connector: url.searchParams.get('connector') ?? undefined,
            }),
        'GET /bindings': (_body, url) => control.bindings(url.searchParams.get('clientId') ?? undefined),
        'POST /agents/run': () => ({ purged: control.runAgents() }),
    };
}

export function controlHandler(control: EmulatorControl) {
    const table = routes(control);
    return async (request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> => {
        const raw = await readBody(request);
        const path = url.pathname.replace(/^\/_emulator/, '').replace(/\/$/, '') || '/';
        const route = table[`${request.method ?? 'GET'} ${path}`];
        if (!route) {
            sendJson(
                response,
                404,
                JSON.stringify({ error: `no control endpoint ${request.method ?? ''} ${url.pathname}` }),
            );
            return;
        }
        try {
            const body = raw.trim() === '' ? {} : (JSON.parse(raw) as Json);
            const result = await route(body, url);
            sendJson(response, 200, JSON.stringify(result ?? { ok: true }));
        } catch (error) {
            sendJson(
                response,
                400,
                JSON.stringify({ error: error instanceof Error ? error.message : String(error) }),
            );
        }
    };
}
