import type { NodeAPI } from 'node-red';

import { checkMethod, isBlank, paramsOrNone, toCommands } from '../runtime/call/commands';
import { RestCaller, type CallOutcome } from '../runtime/call/rest-caller';
import { onInput, registerFlowNode, type FlowNodeConfig } from './shared/flow-node';
import { userError } from './shared/i18n';
import { passOn, type InputMessage } from './shared/messages';
import { portalTarget } from './shared/portal-target';
import { choiceProperty, evaluateObjectProperty, evaluateProperty, typedProperty } from './shared/properties';

const TYPE = 'bitrix24-call';

interface CallConfig extends FlowNodeConfig {
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
    registerFlowNode<CallConfig>(RED, TYPE, (node, config, setup) => {
        const settings = readSettings(config);
        const { badge, portal, text } = setup;

        const evaluate = async (msg: InputMessage) => {
            const [method, params] = await Promise.all([
                evaluateProperty(RED, node, settings.method, msg),
                evaluateObjectProperty(RED, node, settings.params, msg),
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
        const plan = async (msg: InputMessage) => {
            const { method, params } = await evaluate(msg);
            if (Array.isArray(params)) return { commands: toCommands(params, method) };
            return { call: { method: checkMethod(method), params: paramsOrNone(params) } };
        };

        onInput(node, setup, async (msg) => {
            const target = portalTarget(portal, msg);
            const { connection } = target;
            const { commands, call } = await plan(msg);
            const caller = new RestCaller(
                await connection.client(),
                connection.authConnector,
                settings.authConnector,
            );
            const out = passOn(msg);
            if (target.portal) out.portal = { ...target.portal };
            if (commands) {
                const results = (await caller.batch(commands)).map(format);
                const failed = results.filter((r) => 'error' in r).length;
                out.payload = results;
                const summary = { count: results.length, failed };
                if (failed > 0) badge.show('yellow', 'dot', text('batchFailed', summary));
                else badge.show('green', 'dot', text('batch', summary));
                return out;
            }
            const response = await caller.call(call.method, call.params);
            out.payload = response.result;
            // A list method's page: `total` rows in all, the next page starts at `next` (docs/bitrix24.md §9).
            if (response.total !== undefined) out.total = response.total;
            if (response.next !== undefined) out.next = response.next;
            badge.show('green', 'dot', call.method);
            return out;
        });
    });
};

function readSettings(config: CallConfig) {
    return {
        method: typedProperty(config.method, config.methodType, { value: '', type: 'str' }),
        params: typedProperty(config.params, config.paramsType, { value: 'payload', type: 'msg' }),
        authConnector: choiceProperty(config.authConnector, ['auto', 'always', 'never'] as const, 'auto'),
    };
}
