import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';

import { checkMethod, isBlank, paramsOrNone, toCommands } from '../runtime/call/commands';
import { RestCaller, type CallOutcome } from '../runtime/call/rest-caller';
import { failure } from './shared/failure';
import { userError } from './shared/i18n';
import { usePortal } from './shared/portal-node';
import { choiceProperty, evaluateObjectProperty, evaluateProperty, textProperty } from './shared/properties';
import { StatusBadge } from './shared/status';

const TYPE = 'bitrix24-call';

interface CallConfig extends NodeDef {
    portal?: string;
    method?: string;
    methodType?: string;
    params?: string;
    paramsType?: string;
    authConnector?: string;
}

/** One item of `msg.payload` after a list of commands. */
type CommandResult =
    | { method: string; result: unknown; total?: number; next?: number }
    | { method: string; error: { code: string; message: string } };

export = function (RED: NodeAPI): void {
    function Bitrix24CallNode(this: Node, config: CallConfig) {
        RED.nodes.createNode(this, config);
        const settings = {
            method: textProperty(config.method),
            methodType: textProperty(config.methodType, 'str'),
            params: textProperty(config.params, 'payload'),
            paramsType: textProperty(config.paramsType, 'msg'),
            authConnector: choiceProperty(config.authConnector, ['auto', 'always', 'never'] as const, 'auto'),
        };
        const badge = new StatusBadge(this);
        const portal = usePortal(RED, this, config.portal, badge);
        if (!portal) return;
        const text = (key: string, params?: Record<string, string | number>) =>
            RED._(`${TYPE}.status.${key}`, params);

        const evaluate = async (msg: NodeMessage) => {
            const [method, params] = await Promise.all([
                evaluateProperty(RED, settings.method, settings.methodType, this, msg),
                evaluateObjectProperty(RED, settings.params, settings.paramsType, this, msg),
            ]);
            return { method: isBlank(method) ? undefined : method, params };
        };

        /** A failed command's error as users read it: its code and a translated, actionable text. */
        const format = (outcome: CallOutcome): CommandResult => {
            if (!outcome.error) return outcome as CommandResult;
            const { message } = userError(RED, outcome.error, TYPE);
            return { method: outcome.method, error: { code: outcome.error.code, message } };
        };

        /** The batch list or the one call of this msg; bad input fails here, before any request. */
        const plan = async (msg: NodeMessage) => {
            const { method, params } = await evaluate(msg);
            if (Array.isArray(params)) return { commands: toCommands(params, method) };
            return { call: { method: checkMethod(method), params: paramsOrNone(params) } };
        };

        const run = async (msg: NodeMessage) => {
            const { commands, call } = await plan(msg);
            const caller = new RestCaller(
                await portal.connection.client(),
                portal.connection.authConnector,
                settings.authConnector,
            );
            if (commands) {
                const results = (await caller.batch(commands)).map(format);
                const failed = results.filter((r) => 'error' in r).length;
                msg.payload = results;
                const summary = { count: results.length, failed };
                if (failed > 0) badge.show('yellow', 'dot', text('batchFailed', summary));
                else badge.show('green', 'dot', text('batch', summary));
                return;
            }
            const response = await caller.call(call.method, call.params);
            msg.payload = response.result;
            // A list method's page: `total` rows in all, the next page starts at `next` (docs/bitrix24.md §9).
            if (response.total !== undefined) (msg as { total?: number }).total = response.total;
            if (response.next !== undefined) (msg as { next?: number }).next = response.next;
            badge.show('green', 'dot', call.method);
        };

        this.on('input', (msg, send, done) => {
            run(msg).then(
                () => {
                    send(msg);
                    done();
                },
                (err: unknown) => done(failure(RED, badge, err, TYPE)),
            );
        });
    }

    RED.nodes.registerType(TYPE, Bitrix24CallNode);
};
