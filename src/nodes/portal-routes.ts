import { randomBytes } from 'node:crypto';

import type { Request, Response } from 'express';
import type { NodeAPI } from 'node-red';

import { isBitrix24Error } from '../bitrix24';
import { parseForm } from '../bitrix24/internal';
import { sharedText, userError } from './shared/i18n';
import { readBody, servesHttpNodes } from './shared/http';
import type { PortalNode } from './shared/portal-node';

const INSTALL_BODY_LIMIT = 64 * 1024;
const STATE_LIFETIME_MS = 10 * 60 * 1000;

/**
 * The HTTP side of the portal node, registered once per runtime and keyed by node id
 * (docs/node-red.md §2.8):
 * - `POST <admin>/bitrix24/portal/:id/test`: who the token belongs to, admin or not, plan features;
 * - `POST <admin>/bitrix24/portal/:id/authorize` and `GET <admin>/bitrix24/portal/oauth/callback`:
 *   the authorisation-code flow started from the editor;
 * - `POST <httpNodeRoot>/bitrix24/install/:id`: the portal's installation callback.
 */
export function registerPortalRoutes(RED: NodeAPI): void {
    const pending = new Map<string, { nodeId: string; expires: number }>();
    const portalNode = (id: unknown) => {
        const node = typeof id === 'string' ? (RED.nodes.getNode(id) as PortalNode | null) : null;
        return node?.type === 'bitrix24-portal' ? node : undefined;
    };
    const notDeployed = (res: Response) =>
        res
            .status(404)
            .json({ ok: false, code: 'NOT_DEPLOYED', message: sharedText(RED, 'errors.notDeployed') });

    /** An admin route about one deployed portal node (`:id`); 404 when there is none. */
    const portalRoute = (
        path: string,
        permission: string,
        handle: (node: PortalNode, res: Response) => void,
    ) =>
        RED.httpAdmin.post(path, RED.auth.needsPermission(permission), (req: Request, res: Response) => {
            const node = portalNode(req.params.id);
            if (node) handle(node, res);
            else notDeployed(res);
        });

    portalRoute('/bitrix24/portal/:id/test', 'bitrix24-portal.read', (node, res) => {
        node.connection.testConnection().then(
            (report) => res.json(report),
            (err: unknown) => res.json(failure(RED, err)),
        );
    });

    portalRoute('/bitrix24/portal/:id/authorize', 'bitrix24-portal.write', (node, res) => {
        const state = randomBytes(24).toString('hex');
        pending.set(state, { nodeId: node.id, expires: Date.now() + STATE_LIFETIME_MS });
        res.json({ url: node.connection.authorizeUrl(state) });
    });

    // A top-level browser navigation from the portal carries no editor token: the single-use
    // state, issued above to an editor user with write permission, is what authorises it.
    RED.httpAdmin.get('/bitrix24/portal/oauth/callback', (req: Request, res: Response) => {
        const state = typeof req.query.state === 'string' ? req.query.state : '';
        const code = typeof req.query.code === 'string' ? req.query.code : '';
        // The token server Bitrix24 names for this portal; the client uses it only if it trusts it.
        const serverDomain =
            typeof req.query.server_domain === 'string' ? req.query.server_domain : undefined;
        const entry = pending.get(state);
        pending.delete(state);
        const node = entry && entry.expires > Date.now() ? portalNode(entry.nodeId) : undefined;
        if (!node || !code) {
            res.status(403).type('text/plain').send(sharedText(RED, 'connect.refused'));
            return;
        }
        node.connection.completeAuthorization(code, serverDomain).then(
            () => res.type('text/plain').send(sharedText(RED, 'connect.done')),
            (err: unknown) =>
                res
                    .status(502)
                    .type('text/plain')
                    .send(`${sharedText(RED, 'connect.failed')} ${userError(RED, err).message}`),
        );
    });

    if (!servesHttpNodes(RED)) return;
    RED.httpNode.post('/bitrix24/install/:id', (req: Request, res: Response) => {
        const node = portalNode(req.params.id);
        if (!node) {
            res.sendStatus(404);
            return;
        }
        readBody(req, INSTALL_BODY_LIMIT)
            .then(async (body) => {
                if (body === undefined) {
                    res.sendStatus(413);
                    return;
                }
                await node.connection.install(parseForm(body, { strict: true }));
                node.log(sharedText(RED, 'log.installed'));
                res.sendStatus(200);
            })
            .catch((err: unknown) => {
                node.warn(`${sharedText(RED, 'log.installRefused')} ${userError(RED, err).message}`);
                res.sendStatus(isBitrix24Error(err) && err.code === 'INVALID_ARGUMENT' ? 400 : 403);
            });
    });
}

function failure(RED: NodeAPI, err: unknown) {
    const error = userError(RED, err);
    return { ok: false, code: error.code ?? 'ERROR', message: error.message };
}
