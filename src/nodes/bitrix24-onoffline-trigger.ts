import type { Request, Response } from 'express';
import type { Node, NodeAPI, NodeDef } from 'node-red';

import { bindingSpec } from '../runtime/bind/binding-spec';
import { EventBindings } from '../runtime/bind/event-bindings';
import { keepBound } from '../runtime/bind/keep-bound';
import { DoorbellRecord } from '../runtime/trigger/doorbell-record';
import { PollTimer } from '../runtime/trigger/poll-timer';
import { RingVerifier, type Ring } from '../runtime/trigger/ring-verifier';
import { readBody, removeRoute, servesHttpNodes } from './shared/http';
import { failure } from './shared/failure';
import { userError } from './shared/i18n';
import { usePortal } from './shared/portal-node';
import { booleanProperty, numberProperty, textProperty } from './shared/properties';
import { StatusBadge } from './shared/status';
import { userDirFile } from './shared/user-dir';

const TYPE = 'bitrix24-onoffline-trigger';
/** A genuine ring is a few hundred bytes of form fields (docs/bitrix24.md §6). */
const RING_BODY_LIMIT = 16 * 1024;
/** How long a closing node waits for its binding work before it lets the runtime go on. */
const CLOSE_WAIT_MS = 10_000;

interface TriggerConfig extends NodeDef {
    portal?: string;
    path?: string;
    publicUrl?: string;
    autoBind?: boolean | string;
    minTimeout?: number | string;
    pollInterval?: number | string;
}

export = function (RED: NodeAPI): void {
    function Bitrix24OnOfflineTriggerNode(this: Node, config: TriggerConfig) {
        RED.nodes.createNode(this, config);
        const path = '/' + textProperty(config.path, '/bitrix24/onoffline').trim().replace(/^\/+/, '');
        const publicUrl = textProperty(config.publicUrl).trim().replace(/\/+$/, '');
        const autoBind = booleanProperty(config.autoBind, false);
        const minTimeout = Math.max(0, Math.floor(numberProperty(config.minTimeout, 5)));
        const pollInterval = Math.max(0, numberProperty(config.pollInterval, 60));
        const badge = new StatusBadge(this);
        const portal = usePortal(RED, this, config.portal, badge);
        const text = (key: string, params?: Record<string, string | number>) =>
            RED._(`${TYPE}.status.${key}`, params);

        if (!portal) return;

        let refused = 0;
        let last = '';
        let memberId = '';
        const show = () => {
            const shown =
                refused > 0 ? text('refused', { last: last || text('listening'), count: refused }) : last;
            badge.show(refused > 0 ? 'yellow' : 'green', last ? 'dot' : 'ring', shown || text('listening'));
        };
        const fire = (topic: 'ONOFFLINEEVENT' | 'poll', payload: Ring) => {
            last = text(topic === 'poll' ? 'poll' : 'ring', { time: new Date().toTimeString().slice(0, 8) });
            show();
            this.send({ topic, payload });
        };
        const poll = new PollTimer(pollInterval, () =>
            fire('poll', {
                event: 'poll',
                ts: Math.floor(Date.now() / 1000),
                domain: portal.connection.host,
                member_id: memberId,
            }),
        );
        show();

        const verifier = new RingVerifier(() => portal.connection.applicationToken());
        const routed = servesHttpNodes(RED);
        const answer = (req: Request, res: Response) => {
            readBody(req, RING_BODY_LIMIT)
                .then(async (body) => {
                    if (body === undefined) {
                        res.sendStatus(413);
                        refused++;
                        show();
                        return;
                    }
                    // Answer first, then verify (docs/bitrix24.md §6): the portal never waits on us.
                    res.sendStatus(200);
                    const ring = await verifier.verifyBody(body);
                    if (!ring) {
                        refused++;
                        show();
                        return;
                    }
                    poll.reset();
                    memberId = ring.member_id;
                    fire('ONOFFLINEEVENT', ring);
                })
                .catch(() => {
                    if (!res.headersSent) res.sendStatus(400);
                });
        };
        if (routed) RED.httpNode.post(path, answer);
        else this.warn(RED._(`${TYPE}.errors.noHttpNode`));
        void verifier.canVerify().then((can) => {
            if (!can) this.warn(RED._(`${TYPE}.errors.noApplicationToken`));
        });

        // The doorbell is an online event bound to the URL the portal can reach (docs/bitrix24.md §6).
        const doorbell = () =>
            bindingSpec({
                event: 'ONOFFLINEEVENT',
                eventType: 'online',
                handler: publicUrl ? publicUrl + path : '',
                options: { minTimeout },
            });
        const reportError = (err: unknown) => {
            const error = failure(RED, badge, err, TYPE);
            this.error(error, { topic: 'autoBind', payload: error.message });
        };
        const record = new DoorbellRecord(userDirFile(RED, `doorbell-${this.id}.json`));
        let stopKeeping: (() => Promise<void>) | undefined;
        if (autoBind) {
            stopKeeping = keepBound(
                portal.connection,
                () => Promise.resolve(doorbell()),
                {
                    waiting: () => badge.show('yellow', 'ring', text('waiting')),
                    bound: () => show(),
                    failed: reportError,
                },
                record,
            );
        }

        this.on('close', (removed: boolean, done: () => void) => {
            poll.stop();
            if (routed) removeRoute(RED.httpNode, path, 'post', answer);
            // A binding under way finishes first, so that the record says what the portal holds.
            let finished = stopKeeping?.() ?? Promise.resolve();
            if (removed && autoBind) {
                // Deleted from the flow: take the doorbell binding away too.
                finished = finished
                    .then(() => portal.connection.client())
                    .then((client) => new EventBindings(client).unbind(doorbell()))
                    .then(() => record.clear())
                    .catch((err: unknown) => this.warn(userError(RED, err, TYPE).message));
            }
            portal.connection.holdOpen(finished);
            void Promise.race([finished, delay(CLOSE_WAIT_MS)]).then(() => done());
        });
    }

    RED.nodes.registerType(TYPE, Bitrix24OnOfflineTriggerNode);
};

/** A wait that does not keep the process alive. */
function delay(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
