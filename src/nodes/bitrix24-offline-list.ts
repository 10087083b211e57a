import type { NodeAPI } from 'node-red';

import { checkFilter, checkOrder } from '../bitrix24';
import { onInput, registerFlowNode, type FlowNodeConfig } from './shared/flow-node';
import { passOn } from './shared/messages';
import { portalTarget } from './shared/portal-target';
import {
    choiceProperty,
    evaluateSelection,
    queueSelection,
    textProperty,
    type QueueSelectionConfig,
} from './shared/properties';
import { featuresFor } from '../runtime/portal/plan-features';
import { statusRegistry } from '../runtime/status/status-registry';

const TYPE = 'bitrix24-offline-list';

interface ListConfig extends FlowNodeConfig, QueueSelectionConfig {
    authConnector?: string;
    pages?: string;
}

/**
 * A read-only look at the queue (`event.offline.list`, docs/bitrix24.md §4) and its figures in
 * `msg.stats`, for dashboards and alerts: it reserves nothing and changes nothing.
 */
export = function (RED: NodeAPI): void {
    registerFlowNode<ListConfig>(RED, TYPE, (node, config, setup) => {
        const { badge, portal, text } = setup;
        const settings = readSettings(config);

        onInput(node, setup, async (msg) => {
            const target = portalTarget(portal, msg);
            const { connection } = target;
            const authConnector = connection.connectorFor(settings.authConnector);
            const { filter, order } = await evaluateSelection(RED, node, settings.selection, msg);
            // Checked before anything is sent: the figures below would go out beside a bad page.
            if (filter !== undefined) checkFilter(filter, 'list');
            if (order !== undefined) checkOrder(order, 'list');
            const queue = await connection.queue(featuresFor({ connector: authConnector }));
            const start = Number(msg.start ?? 0) || 0;
            // Asked in the same moment, the page and the figures share one batch request.
            const [page, stats] = await Promise.all([
                settings.pages === 'all'
                    ? queue
                          .listAll({ filter, order, authConnector })
                          .then((all) => ({ rows: all, total: all.length, next: undefined }))
                    : queue.list({ filter, order, start, authConnector }),
                queue.stats(authConnector),
            ]);
            // The portal's own queue: these figures spare the status a read of its own.
            if (authConnector === connection.connectorFor('')) {
                statusRegistry.row(connection)?.recordQueue(stats);
            }
            const out = passOn(msg);
            Object.assign(out, { payload: page.rows, total: page.total, next: page.next, stats });
            if (target.portal) out.portal = { ...target.portal };
            badge.show('green', 'dot', text('stats', { backlog: stats.backlog, errors: stats.errors }));
            return out;
        });
    });
};

function readSettings(config: ListConfig) {
    return {
        selection: queueSelection(config, '{"ID":"ASC"}'),
        pages: choiceProperty(config.pages, ['one', 'all'], 'one'),
        authConnector: textProperty(config.authConnector),
    };
}
