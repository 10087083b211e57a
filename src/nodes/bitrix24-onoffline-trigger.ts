import type { Request, Response } from 'express';
import type { Node, NodeAPI } from 'node-red';

import { MemoryDocument } from '../bitrix24/internal';
import { DoorbellRecord } from '../runtime/trigger/doorbell-record';
import { OfflineTrigger, type TriggerSettings } from '../runtime/trigger/offline-trigger';
import type { PortalApp } from '../runtime/app/portal-app';
import { AppTrigger } from '../runtime/trigger/app-trigger';
import { registerFlowNode, type FlowNodeConfig, type FlowNodeSetup } from './shared/flow-node';
import { appUrls } from './shared/app-urls';
import { readBody, removeRoute, servesHttpNodes } from './shared/http';
import { userError } from './shared/i18n';
import type { Bitrix24Message } from './shared/messages';
import { booleanProperty, numberProperty, textProperty } from './shared/properties';
import { userDirDocument } from './shared/user-dir';

const TYPE = 'bitrix24-onoffline-trigger';
/** A genuine ring is a few hundred bytes of form fields (docs/bitrix24.md §6). */
const RING_BODY_LIMIT = 16 * 1024;
/** How long a closing node waits for its binding work before it lets the runtime go on. */
const CLOSE_WAIT_MS = 10_000;

interface TriggerConfig extends FlowNodeConfig {
    path?: string;
    publicUrl?: string;
    autoBind?: boolean | string;
    minTimeout?: number | string;
    pollInterval?: number | string;
}

export = function (RED: NodeAPI): void {
    registerFlowNode<TriggerConfig>(RED, TYPE, (node, config, setup) => {
        const settings = readSettings(config);
        const { badge, portal, text } = setup;
        if (portal.app) {
            startOnApp(RED, node, setup, portal.app, settings);
            return;
        }

        let last = '';
        const show = () => {
            const refused = trigger.refusedCount;
            const shown =
                refused > 0
                    ? text('refused', { last: last || RED._(`${TYPE}.status.listening`), count: refused })
                    : last;
            badge.show(refused > 0 ? 'yellow' : 'green', last ? 'dot' : 'ring', shown || text('listening'));
        };
        const trigger: OfflineTrigger = new OfflineTrigger(
            settings,
            portal.connection,
            portal.deliveries,
            // With a store the record is shared: every instance binds the same doorbell.
            new DoorbellRecord(
                portal.sharedStore?.()?.documents.document(`doorbell-${node.id}.json`) ??
                    userDirDocument(RED, `doorbell-${node.id}.json`) ??
                    new MemoryDocument(),
            ),
            {
                wake: (topic, payload) => {
                    last = text(topic === 'poll' ? 'poll' : 'ring', {
                        time: new Date().toTimeString().slice(0, 8),
                    });
                    show();
                    const msg: Bitrix24Message = { topic, payload };
                    node.send(msg);
                },
                refused: show,
                waiting: () => badge.show('yellow', 'ring', text('waiting')),
                bound: show,
                failed: (err) => {
                    const error = setup.fail(err);
                    // With a msg, so that a Catch node on the tab sees it (docs/node-red.md §2.2).
                    node.error(error, { topic: 'autoBind', payload: error.message });
                },
                warn: (warning) =>
                    node.warn(
                        RED._(`${TYPE}.errors.${warning.key}`, 'params' in warning ? warning.params : {}),
                    ),
            },
        );
        show();

        const routed = servesHttpNodes(RED);
        const answer = (req: Request, res: Response) => {
            readBody(req, RING_BODY_LIMIT)
                .then(async (body) => {
                    if (body === undefined) {
                        res.sendStatus(413);
                        trigger.refuse();
                        return;
                    }
                    // Answer first, then verify (docs/bitrix24.md §6): the portal never waits on us.
                    res.sendStatus(200);
                    await trigger.receive(body);
                })
                .catch(() => {
                    if (!res.headersSent) res.sendStatus(400);
                });
        };
        if (routed) RED.httpNode.post(settings.path, answer);
        else node.warn(RED._(`${TYPE}.errors.noHttpNode`));

        node.on('close', (removed: boolean, done: () => void) => {
            if (routed) removeRoute(RED.httpNode, settings.path, 'post', answer);
            const finished = trigger
                .close(removed)
                .catch((err: unknown) => node.warn(userError(RED, err, TYPE).message));
            portal.connection.holdOpen(finished);
            void Promise.race([finished, delay(CLOSE_WAIT_MS)]).then(() => done());
        });
    });
};

/**
 * Many portals (design "Many portals"): the application takes the rings at its event URL and
 * routes them here by member_id; this node serves no path of its own.
 */
function startOnApp(
    RED: NodeAPI,
    node: Node,
    setup: FlowNodeSetup,
    app: PortalApp,
    settings: TriggerSettings,
) {
    const { badge, portal, text } = setup;
    badge.show('green', 'ring', text('listening'));
    const trigger = new AppTrigger(
        app,
        node.id,
        {
            eventUrl: appUrls(RED, app.publicUrl || settings.publicUrl, portal.id).eventUrl,
            autoBind: settings.autoBind,
            minTimeout: settings.minTimeout,
            pollInterval: settings.pollInterval,
        },
        {
            wake: (topic, payload, ref) => {
                const time = new Date().toTimeString().slice(0, 8);
                badge.show('green', 'dot', text(topic === 'poll' ? 'poll' : 'ring', { time }));
                const msg: Bitrix24Message = { topic, payload: { ...payload }, portal: { ...ref } };
                node.send(msg);
            },
            failed: (err) => {
                const error = setup.fail(err);
                // With a msg, so that a Catch node on the tab sees it (docs/node-red.md §2.2).
                node.error(error, { topic: 'autoBind', payload: error.message });
            },
        },
    );
    node.on('close', (removed: boolean, done: () => void) => {
        const finished = trigger
            .close(removed)
            .catch((err: unknown) => node.warn(userError(RED, err, TYPE).message));
        app.holdOpen(finished);
        void Promise.race([finished, delay(CLOSE_WAIT_MS)]).then(() => done());
    });
}

function readSettings(config: TriggerConfig): TriggerSettings {
    return {
        path: '/' + textProperty(config.path, '/bitrix24/onoffline').trim().replace(/^\/+/, ''),
        publicUrl: textProperty(config.publicUrl).trim().replace(/\/+$/, ''),
        autoBind: booleanProperty(config.autoBind, false),
        minTimeout: Math.max(0, Math.floor(numberProperty(config.minTimeout, 5))),
        pollInterval: Math.max(0, numberProperty(config.pollInterval, 60)),
    };
}

/** A wait that does not keep the process alive. */
function delay(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
