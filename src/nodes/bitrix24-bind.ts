import type { NodeAPI, NodeMessage } from 'node-red';

import { bindingSpec, type BindingSpec } from '../runtime/bind/binding-spec';
import {
    EventBindings,
    type BindResult,
    type EventHandler,
    type UnbindResult,
} from '../runtime/bind/event-bindings';
import { keepBound } from '../runtime/bind/keep-bound';
import { onInput, registerFlowNode, type FlowNodeConfig } from './shared/flow-node';
import { featuresFor } from '../runtime/portal/plan-features';
import {
    booleanProperty,
    choiceProperty,
    evaluateObjectProperty,
    evaluateProperty,
    textProperty,
    typedProperty,
} from './shared/properties';

const TYPE = 'bitrix24-bind';

interface BindConfig extends FlowNodeConfig {
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
    registerFlowNode<BindConfig>(RED, TYPE, (node, config, setup) => {
        const settings = readSettings(config);
        const { badge, portal, text } = setup;

        /** The binding for this msg (or for the deploy, with an empty msg). */
        const spec = async (msg: NodeMessage): Promise<BindingSpec> => {
            const [event, options] = await Promise.all([
                evaluateProperty(RED, node, settings.eventName, msg),
                evaluateObjectProperty(RED, node, settings.options, msg),
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

        onInput(node, setup, async (msg) => {
            const outcome = await run(msg);
            showOutcome(outcome);
            msg.payload = outcome;
            return msg;
        });

        let stopKeeping: (() => Promise<void>) | undefined;
        if (settings.onDeploy && settings.action === 'bind') {
            stopKeeping = keepBound(portal.connection, () => spec({}), {
                waiting: () => badge.show('yellow', 'ring', text('waiting')),
                bound: showOutcome,
                failed: (err) => {
                    const error = setup.fail(err);
                    // With a msg, so that a Catch node on the tab sees it (docs/node-red.md §2.2).
                    node.error(error, { topic: 'onDeploy', payload: error.message });
                },
            });
        }

        node.on('close', (_removed: boolean, done: () => void) => {
            if (stopKeeping) portal.connection.holdOpen(stopKeeping());
            done();
        });
    });
};

function readSettings(config: BindConfig) {
    return {
        action: choiceProperty(config.action, ['bind', 'unbind', 'list'] as const, 'bind'),
        eventName: typedProperty(config.eventName, config.eventNameType, {
            value: 'ONCRMDEALUPDATE',
            type: 'str',
        }),
        eventType: choiceProperty(config.eventType, ['offline', 'online'] as const, 'offline'),
        handler: textProperty(config.handler),
        authConnector: textProperty(config.authConnector),
        options: typedProperty(config.options, config.optionsType, { value: '{}', type: 'json' }),
        onDeploy: booleanProperty(config.onDeploy, false),
    };
}
