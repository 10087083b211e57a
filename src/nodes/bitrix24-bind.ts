import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';

import { bindingSpec, type BindingSpec } from '../runtime/bind/binding-spec';
import {
    EventBindings,
    type BindResult,
    type EventHandler,
    type UnbindResult,
} from '../runtime/bind/event-bindings';
import { keepBound } from '../runtime/bind/keep-bound';
import { featuresFor } from '../runtime/portal/plan-features';
import { failure } from './shared/failure';
import { usePortal } from './shared/portal-node';
import {
    booleanProperty,
    choiceProperty,
    evaluateObjectProperty,
    evaluateProperty,
    textProperty,
} from './shared/properties';
import { StatusBadge } from './shared/status';

const TYPE = 'bitrix24-bind';

interface BindConfig extends NodeDef {
    portal?: string;
    action?: string;
    eventName?: string;
    eventNameType?: string;
    eventType?: string;
    handler?: string;
    authConnector?: string;
    options?: string;
    optionsType?: string;
    onDeploy?: boolean | string;
}

type Outcome = BindResult | UnbindResult | EventHandler[];

export = function (RED: NodeAPI): void {
    function Bitrix24BindNode(this: Node, config: BindConfig) {
        RED.nodes.createNode(this, config);
        const settings = {
            action: choiceProperty(config.action, ['bind', 'unbind', 'list'] as const, 'bind'),
            eventName: textProperty(config.eventName, 'ONCRMDEALUPDATE'),
            eventNameType: textProperty(config.eventNameType, 'str'),
            eventType: choiceProperty(config.eventType, ['offline', 'online'] as const, 'offline'),
            handler: textProperty(config.handler),
            authConnector: textProperty(config.authConnector),
            options: textProperty(config.options, '{}'),
            optionsType: textProperty(config.optionsType, 'json'),
            onDeploy: booleanProperty(config.onDeploy, false),
        };
        const badge = new StatusBadge(this);
        const portal = usePortal(RED, this, config.portal, badge);
        if (!portal) return;
        const text = (key: string, params?: Record<string, string | number>) =>
            RED._(`${TYPE}.status.${key}`, params);

        /** The binding for this msg (or for the deploy, with an empty msg). */
        const spec = async (msg: NodeMessage): Promise<BindingSpec> => {
            const [event, options] = await Promise.all([
                evaluateProperty(RED, settings.eventName, settings.eventNameType, this, msg),
                evaluateObjectProperty(RED, settings.options, settings.optionsType, this, msg),
            ]);
            return bindingSpec({
                event,
                eventType: settings.eventType,
                handler: settings.handler,
                connector: portal.connection.connectorFor(settings.authConnector) ?? '',
                options,
            });
        };

        const run = async (msg: NodeMessage): Promise<Outcome> => {
            // Checked before the client is asked for, so bad input never waits for the portal.
            const binding = settings.action === 'list' ? undefined : await spec(msg);
            const client = await portal.connection.client(featuresFor({ connector: binding?.connector }));
            const bindings = new EventBindings(client);
            if (!binding) return bindings.list();
            return settings.action === 'unbind' ? bindings.unbind(binding) : bindings.bind(binding);
        };

        function showOutcome(outcome: Outcome): void {
            if (Array.isArray(outcome)) badge.show('green', 'dot', text('listed', { count: outcome.length }));
            else if (!outcome.bound) badge.show('grey', 'dot', text('unbound', { event: outcome.event }));
            else
                badge.show(
                    'green',
                    'dot',
                    text(outcome.already ? 'already' : 'bound', { event: outcome.event }),
                );
        }

        this.on('input', (msg, send, done) => {
            run(msg).then(
                (outcome) => {
                    showOutcome(outcome);
                    msg.payload = outcome;
                    send(msg);
                    done();
                },
                (err: unknown) => done(failure(RED, badge, err, TYPE)),
            );
        });

        let stopKeeping: (() => Promise<void>) | undefined;
        if (settings.onDeploy && settings.action === 'bind') {
            stopKeeping = keepBound(portal.connection, () => spec({}), {
                waiting: () => badge.show('yellow', 'ring', text('waiting')),
                bound: showOutcome,
                failed: (err) => {
                    const error = failure(RED, badge, err, TYPE);
                    // With a msg, so that a Catch node on the tab sees it (docs/node-red.md §2.2).
                    this.error(error, { topic: 'onDeploy', payload: error.message });
                },
            });
        }

        this.on('close', (_removed: boolean, done: () => void) => {
            if (stopKeeping) portal.connection.holdOpen(stopKeeping());
            done();
        });
    }

    RED.nodes.registerType(TYPE, Bitrix24BindNode);
};
