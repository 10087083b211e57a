import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';

import { checkFilter, checkOrder } from '../bitrix24';
import { featuresFor } from '../runtime/portal/plan-features';
import { failure } from './shared/failure';
import { usePortal } from './shared/portal-node';
import { choiceProperty, evaluateObjectProperty, filterOrNone, textProperty } from './shared/properties';
import { StatusBadge } from './shared/status';

interface ListConfig extends NodeDef {
    portal?: string;
    filter?: string;
    filterType?: string;
    order?: string;
    orderType?: string;
    authConnector?: string;
    pages?: string;
}

/**
 * A read-only look at the queue (`event.offline.list`, docs/bitrix24.md §4) and its figures in
 * `msg.stats`, for dashboards and alerts: it reserves nothing and changes nothing.
 */
export = function (RED: NodeAPI): void {
    function Bitrix24OfflineListNode(this: Node, config: ListConfig) {
        RED.nodes.createNode(this, config);
        const badge = new StatusBadge(this);
        const portal = usePortal(RED, this, config.portal, badge);
        if (!portal) return;
        const pages = choiceProperty(config.pages, ['one', 'all'], 'one');
        const authConnector = portal.connection.connectorFor(textProperty(config.authConnector));

        this.on('input', (msg: NodeMessageInFlow, send, done) => {
            const run = async () => {
                const filter = filterOrNone(
                    await evaluateObjectProperty(
                        RED,
                        config.filter ?? '{}',
                        config.filterType ?? 'json',
                        this,
                        msg,
                    ),
                );
                const order = filterOrNone(
                    await evaluateObjectProperty(
                        RED,
                        config.order ?? '{"ID":"ASC"}',
                        config.orderType ?? 'json',
                        this,
                        msg,
                    ),
                );
                // Checked before anything is sent: the figures below would go out beside a bad page.
                if (filter !== undefined) checkFilter(filter, 'list');
                if (order !== undefined) checkOrder(order, 'list');
                const queue = await portal.connection.queue(featuresFor({ connector: authConnector }));
                const start = Number((msg as { start?: unknown }).start ?? 0) || 0;
                // Asked in the same moment, the page and the figures share one batch request.
                const [rows, stats] = await Promise.all([
                    pages === 'all'
                        ? queue
                              .listAll({ filter, order, authConnector })
                              .then((all) => ({ rows: all, total: all.length, next: undefined }))
                        : queue.list({ filter, order, start, authConnector }),
                    queue.stats(authConnector),
                ]);
                Object.assign(msg, { payload: rows.rows, total: rows.total, next: rows.next, stats });
                badge.show(
                    'green',
                    'dot',
                    RED._('bitrix24-offline-list.status.stats', {
                        backlog: stats.backlog,
                        errors: stats.errors,
                    }),
                );
                send(msg);
            };
            run().then(
                () => done(),
                (err: unknown) => done(failure(RED, badge, err)),
            );
        });
    }

    RED.nodes.registerType('bitrix24-offline-list', Bitrix24OfflineListNode);
};
