import type { NodeAPI } from 'node-red';

import { Bitrix24Error, LocalCode } from '../bitrix24';
import { isObject } from '../bitrix24/internal';
import { Enricher, type EventLike } from '../runtime/enrich/enricher';
import { checkUserMap } from '../runtime/enrich/read-map';
import { onInput, registerFlowNode, type FlowNodeConfig } from './shared/flow-node';
import { userError } from './shared/i18n';
import { passOn } from './shared/messages';
import { portalTarget } from './shared/portal-target';
import { choiceProperty, textProperty } from './shared/properties';

const TYPE = 'bitrix24-enrich';

interface EnrichConfig extends FlowNodeConfig {
    select?: string;
    onMissing?: string;
}

export = function (RED: NodeAPI): void {
    registerFlowNode<EnrichConfig>(RED, TYPE, (node, config, setup) => {
        const settings = readSettings(config);
        const { badge, portal, text } = setup;
        /** Event names already warned about, so a busy queue does not flood the log. */
        const warned = new Set<string>();

        /** `msg.payload` is one msg per reservation (an array) or per event (one event). */
        onInput(node, setup, async (msg) => {
            const target = portalTarget(portal, msg);
            const { connection } = target;
            const single = !Array.isArray(msg.payload);
            const events = single ? [msg.payload] : (msg.payload as unknown[]);
            if (!events.every(isEvent)) throw notEvents();
            const map = checkUserMap(msg.enrichMap);
            const enricher = new Enricher(await connection.client());
            const result = await enricher.enrich(events, {
                select: settings.select,
                onMissing: settings.onMissing,
                map,
                describeError: (err) => ({ code: err.code, message: userError(RED, err, TYPE).message }),
            });
            for (const name of result.unmapped) {
                if (warned.has(name)) continue;
                warned.add(name);
                node.warn(RED._(`${TYPE}.errors.unmapped`, { event: name }));
            }
            const failed = result.events.filter((event) => event.error).length;
            const counts = { events: result.events.length, reads: result.reads, failed };
            badge.show(failed ? 'yellow' : 'green', 'dot', text(failed ? 'failed' : 'enriched', counts));
            // One event that is dropped: nothing to send on.
            if (single && result.events.length === 0) return undefined;
            const out = passOn(msg);
            if (target.portal) out.portal = { ...target.portal };
            out.payload = single ? result.events[0] : result.events;
            return out;
        });
    });
};

function isEvent(value: unknown): value is EventLike {
    return isObject(value) && typeof value.EVENT_NAME === 'string';
}

function notEvents(): Bitrix24Error {
    return new Bitrix24Error({
        code: LocalCode.InvalidArgument,
        argument: 'payload',
        reason: 'not-events',
        description: 'msg.payload must be an offline event or a list of them, as offline get sends them',
    });
}

function readSettings(config: EnrichConfig) {
    return {
        select: textProperty(config.select),
        onMissing: choiceProperty(config.onMissing, ['tombstone', 'drop'] as const, 'tombstone'),
    };
}
