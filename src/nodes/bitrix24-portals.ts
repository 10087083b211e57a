import type { NodeAPI } from 'node-red';

import type { LifecycleEvent } from '../runtime/app/portal-app';
import { onInput, registerFlowNode, type FlowNodeConfig } from './shared/flow-node';
import { passOn } from './shared/messages';

const TYPE = 'bitrix24-portals';

/**
 * The installations of an application installed on many portals (design "Many portals"): one msg
 * per lifecycle change (`installed`, `updated`, `uninstalled`, `blocked`, `unblocked`), and any
 * input answered with the list of installations. Never a token.
 */
export = function (RED: NodeAPI): void {
    registerFlowNode<FlowNodeConfig>(RED, TYPE, (node, _config, setup) => {
        const { badge, portal, text } = setup;
        const app = portal.app;
        if (!app) {
            const error = new Error(RED._(`${TYPE}.errors.notApp`));
            badge.show('red', 'ring', text('notApp'));
            node.error(error.message);
            node.on('input', (_msg, _send, done) => done(error));
            return;
        }
        const showCount = () => {
            const all = app.installations();
            const blocked = all.filter((one) => one.status === 'blocked').length;
            badge.show(
                blocked > 0 ? 'yellow' : 'green',
                'dot',
                text('count', { count: all.length, blocked }),
            );
        };
        const onLifecycle = (event: LifecycleEvent) => {
            const payload: Record<string, unknown> = { status: event.status, reason: event.reason };
            if (event.clean) payload.clean = true;
            node.send({ topic: event.topic, portal: { ...event.portal }, payload });
            showCount();
        };
        app.on('lifecycle', onLifecycle);
        node.on('close', () => app.off('lifecycle', onLifecycle));
        void Promise.resolve(app.ready).then(showCount);

        onInput(node, setup, async (msg) => {
            await app.ready;
            const out = passOn(msg);
            out.payload = app
                .installations()
                .map(({ memberId, domain, status, installedAt, reason }) =>
                    reason
                        ? { memberId, domain, status, installedAt, reason }
                        : { memberId, domain, status, installedAt },
                );
            showCount();
            return out;
        });
    });
};
