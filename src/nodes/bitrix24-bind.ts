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
import type { PortalConnection } from '../runtime/portal/portal-connection';
import { passOn, type InputMessage } from './shared/messages';
import { portalTarget } from './shared/portal-target';
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

        /** The binding for this msg (or for the deploy, with an empty msg), made with `connector`. */
        const spec = async (msg: NodeMessage, connector: string): Promise<BindingSpec> => {
            const [event, options] = await Promise.all([
                evaluateProperty(RED, node, settings.eventName, msg),
                evaluateObjectProperty(RED, node, settings.options, msg),
            ]);
            return bindingSpec({
                event,
                eventType: settings.eventType,
                handler: settings.handler,
                connector,
                options,
            });
        };

        const run = async (msg: InputMessage, connection: PortalConnection): Promise<Outcome> => {
            // Checked before the client is asked for, so bad input never waits for the portal.
            const connector = connection.connectorFor(settings.authConnector) ?? '';
            const binding = settings.action === 'list' ? undefined : await spec(msg, connector);
            const client = await connection.client(featuresFor({ connector: binding?.connector }));
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
            const target = portalTarget(portal, msg);
            const outcome = await run(msg, target.connection);
            showOutcome(outcome);
            const out = passOn(msg);
            out.payload = outcome;
            if (target.portal) out.portal = { ...target.portal };
            return out;
        });

        const failed = (err: unknown) => {
            const error = setup.fail(err);
            // With a msg, so that a Catch node on the tab sees it (docs/node-red.md §2.2).
            node.error(error, { topic: 'onDeploy', payload: error.message });
        };
        let stopKeeping: (() => Promise<void>) | undefined;
        const app = portal.app;
        if (settings.onDeploy && settings.action === 'bind' && app) {
            // Many portals: the application binds it on every installation, now and later.
            // The connector the application's node names when the bind node names none, as below.
            const removing = spec({}, portal.connection.connectorFor(settings.authConnector) ?? '').then(
                (binding) => app.keepBound(node.id, binding),
                (err: unknown) => {
                    failed(err);
                    return undefined;
                },
            );
            stopKeeping = async () => {
                const remove = await removing;
                await remove?.();
            };
        } else if (settings.onDeploy && settings.action === 'bind') {
            const connection = portal.connection;
            const connector = connection.connectorFor(settings.authConnector) ?? '';
            stopKeeping = keepBound(connection, () => spec({}, connector), {
                waiting: () => badge.show('yellow', 'ring', text('waiting')),
                bound: showOutcome,
                failed,
            });
        }

        node.on('close', (removed: boolean, done: () => void) => {
            // The application unbinds what its remover removes on every installation: only for a
            // node that leaves the flow, not at each redeploy of it (its next start keeps it anew).
            if (stopKeeping && (removed || !portal.app))
                (portal.app ?? portal.connection).holdOpen(stopKeeping());
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
