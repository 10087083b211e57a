import type { Request, Response } from 'express';
import type { NodeAPI } from 'node-red';

import { parseForm, type ParsedForm } from '../bitrix24/internal';
import { InstallGate } from '../runtime/app/install-gate';
import { MultiPortalApp } from '../runtime/app/multi-portal-app';
import { appUrls } from './shared/app-urls';
import { readBody, servesHttpNodes } from './shared/http';
import { sharedText, userError } from './shared/i18n';
import type { PortalNode } from './shared/portal-node';

const BODY_LIMIT = 64 * 1024;

/**
 * The HTTP side of a portal node with `multiPortal` (design "Many portals"), registered once per
 * runtime and keyed by node id (docs/node-red.md §2.8):
 * - `POST <httpNodeRoot>/bitrix24/app/:id/install`: a portal's installation POST;
 * - `POST <httpNodeRoot>/bitrix24/app/:id/event`: ONOFFLINEEVENT, ONAPPUNINSTALL, ONAPPUPDATE;
 * - `GET <admin>/bitrix24/portal/:id/installations`: the URLs and the installations, for the dialog.
 * Both public routes answer at once (the portal does not wait for our checks) and work after.
 */
export function registerAppRoutes(RED: NodeAPI): void {
    const gate = new InstallGate();
    /** The deployed application node `:id` and its app; undefined for anything else. */
    const appNode = (id: unknown): { node: PortalNode; app: MultiPortalApp } | undefined => {
        const node = typeof id === 'string' ? (RED.nodes.getNode(id) as PortalNode | null) : null;
        return node?.type === 'bitrix24-portal' && node.app instanceof MultiPortalApp
            ? { node, app: node.app }
            : undefined;
    };

    RED.httpAdmin.get(
        '/bitrix24/portal/:id/installations',
        RED.auth.needsPermission('bitrix24-portal.read'),
        (req: Request, res: Response) => {
            const found = appNode(req.params.id);
            if (!found) {
                res.status(404).json({
                    ok: false,
                    code: 'NOT_DEPLOYED',
                    message: sharedText(RED, 'errors.notDeployed'),
                });
                return;
            }
            const { node, app } = found;
            // After a start, once the stored installations are read.
            void app.ready.then(() =>
                res.json({ ...appUrls(RED, app.publicUrl, node.id), installations: app.installations() }),
            );
        },
    );

    if (!servesHttpNodes(RED)) return;

    /** Reads the form, answers at once, then hands the form over; a bad body is answered 400. */
    const takeForm = (req: Request, res: Response, node: PortalNode, handle: (form: ParsedForm) => void) => {
        readBody(req, BODY_LIMIT)
            .then((body) => {
                if (body === undefined) {
                    res.sendStatus(413);
                    return;
                }
                let form: ParsedForm;
                try {
                    // The portal encodes every field correctly: a broken escape is a forgery.
                    form = parseForm(body, { strict: true });
                } catch {
                    res.sendStatus(400);
                    return;
                }
                res.sendStatus(200);
                handle(form);
            })
            .catch(() => {
                if (!res.headersSent) res.sendStatus(400);
                node.debug('an application POST could not be read');
            });
    };

    RED.httpNode.post('/bitrix24/app/:id/install', (req: Request, res: Response) => {
        const found = appNode(req.params.id);
        if (!found) {
            res.sendStatus(404);
            return;
        }
        const { node, app } = found;
        if (!gate.admit()) {
            res.sendStatus(429);
            return;
        }
        takeForm(req, res, node, (form) => {
            const claimed = claimedDomain(form);
            app.install(form).then(
                (portal) =>
                    node.log(
                        sharedText(RED, 'log.appInstalled', {
                            domain: portal.domain,
                            memberId: portal.memberId,
                        }),
                    ),
                (err: unknown) =>
                    node.warn(
                        `${sharedText(RED, 'log.appInstallRefused', { domain: claimed })} ${userError(RED, err).message}`,
                    ),
            );
        });
    });

    RED.httpNode.post('/bitrix24/app/:id/event', (req: Request, res: Response) => {
        const found = appNode(req.params.id);
        if (!found) {
            res.sendStatus(404);
            return;
        }
        const { node, app } = found;
        takeForm(req, res, node, (form) => {
            app.event(form).then(
                (outcome) => {
                    if (outcome === 'ignored') node.debug(sharedText(RED, 'log.appEventIgnored'));
                },
                (err: unknown) => node.warn(userError(RED, err).message),
            );
        });
    });
}

/** The domain an installation POST claims, for the log: outside text, quoted and cut short. */
function claimedDomain(form: ParsedForm): string {
    const auth = form.auth;
    const domain =
        auth && typeof auth === 'object' && 'domain' in auth ? (auth as { domain?: unknown }).domain : '';
    return JSON.stringify(typeof domain === 'string' ? domain.slice(0, 100) : '');
}
