import type { Request, Response } from 'express';
import type { NodeAPI } from 'node-red';

import { isObject } from '../bitrix24/internal';
import { METRICS_CONTENT_TYPE, metricsText } from '../runtime/status/metrics-text';
import { QUEUE_INTERVAL_MS, statusRegistry } from '../runtime/status/status-registry';
import type { DescribeError } from '../runtime/status/status-types';
import { userError } from './shared/i18n';
import { runtimeSettings } from './shared/runtime-settings';

/** The editor's socket topic of the live updates. */
export const STATUS_TOPIC = 'bitrix24/status';
const PERMISSION = 'bitrix24.read';

/** The live updates of the runtime that loaded this module last (a test may load it again). */
let publisher: (() => void) | undefined;

/**
 * The status of every portal connection of this runtime (docs/monitoring.md), registered once per
 * runtime (docs/node-red.md §2.8):
 * - `GET <admin>/bitrix24/status`: JSON, for the sidebar's first look;
 * - `GET <admin>/bitrix24/metrics`: the same figures in Prometheus text format;
 * - `POST <admin>/bitrix24/status/watch`: the sidebar is open; changes then go out over the
 *   editor's socket (`bitrix24/status`) while it stays open.
 * Each of them counts as someone looking: the queue figures are kept fresh for a while.
 */
export function registerStatusRoutes(RED: NodeAPI): void {
    statusRegistry.queueIntervalMs = queueInterval(RED);
    const describe: DescribeError = (err) => {
        const error = userError(RED, err);
        return { code: error.code ?? 'ERROR', message: error.message };
    };
    const permission = RED.auth.needsPermission(PERMISSION);

    RED.httpAdmin.get('/bitrix24/status', permission, (_req: Request, res: Response) => {
        statusRegistry.look();
        res.json(statusRegistry.snapshot(describe));
    });
    RED.httpAdmin.get('/bitrix24/metrics', permission, (_req: Request, res: Response) => {
        statusRegistry.look();
        res.type(METRICS_CONTENT_TYPE).send(metricsText(statusRegistry.snapshot(describe)));
    });
    RED.httpAdmin.post('/bitrix24/status/watch', permission, (_req: Request, res: Response) => {
        statusRegistry.look();
        res.json({ version: statusRegistry.version });
    });

    let published = statusRegistry.version;
    if (publisher) statusRegistry.off('tick', publisher);
    publisher = () => {
        if (statusRegistry.version === published) return;
        const changes = statusRegistry.changesSince(published, describe);
        published = statusRegistry.version;
        RED.comms.publish(STATUS_TOPIC, { at: Date.now(), ...changes }, false);
    };
    statusRegistry.on('tick', publisher);
}

function queueInterval(RED: NodeAPI): number {
    const settings = runtimeSettings(RED).bitrix24Status;
    const seconds = isObject(settings) ? Number(settings.queueIntervalSeconds) : NaN;
    return seconds >= 1 ? seconds * 1000 : QUEUE_INTERVAL_MS;
}
