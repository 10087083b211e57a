import type { RowState, StatusRowView, StatusSnapshot } from './status-types';

/**
 * The status in Prometheus' text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): one HELP and TYPE per metric,
 * labels `portal` (the domain), `node` (the portal node) and `member_id` for an installation.
 */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const STATES: RowState[] = ['ok', 'throttled', 'blocked', 'error'];

interface Metric {
    name: string;
    type: 'gauge' | 'counter';
    help: string;
    samples: (row: StatusRowView) => { labels?: Record<string, string>; value: number | null }[];
}

const one = (value: number | null) => [{ value }];

const METRICS: Metric[] = [
    {
        name: 'bitrix24_portal_up',
        type: 'gauge',
        help: 'Whether the portal answers the application (1) or refuses or fails it (0).',
        samples: (row) => one(row.state === 'ok' || row.state === 'throttled' ? 1 : 0),
    },
    {
        name: 'bitrix24_portal_state',
        type: 'gauge',
        help: 'The state of the portal connection: 1 for the current state, 0 for the others.',
        samples: (row) => STATES.map((state) => ({ labels: { state }, value: row.state === state ? 1 : 0 })),
    },
    {
        name: 'bitrix24_queue_backlog',
        type: 'gauge',
        help: 'Rows in the offline queue of the application: waiting, reserved and error rows.',
        samples: (row) => one(row.backlog),
    },
    {
        name: 'bitrix24_queue_reserved',
        type: 'gauge',
        help: 'Rows of the offline queue reserved by a read and not yet cleared.',
        samples: (row) => one(row.reserved),
    },
    {
        name: 'bitrix24_queue_error_rows',
        type: 'gauge',
        help: 'Rows of the offline queue marked as errors.',
        samples: (row) => one(row.errorRows),
    },
    {
        name: 'bitrix24_queue_oldest_age_seconds',
        type: 'gauge',
        help: 'Seconds since the oldest row of the offline queue last changed.',
        samples: (row) => one(row.oldestAgeSeconds),
    },
    {
        name: 'bitrix24_queue_read_timestamp_seconds',
        type: 'gauge',
        help: 'When the queue figures were read (Unix time); they are read while someone looks.',
        samples: (row) => one(row.queueReadAt === null ? null : row.queueReadAt / 1000),
    },
    {
        name: 'bitrix24_bucket_level',
        type: 'gauge',
        help: "The portal's request counter as this runtime mirrors it (the leaky bucket).",
        samples: (row) => one(row.bucket?.level ?? null),
    },
    {
        name: 'bitrix24_bucket_capacity',
        type: 'gauge',
        help: "The burst the portal's request counter may reach.",
        samples: (row) => one(row.bucket?.burst ?? null),
    },
    {
        name: 'bitrix24_requests_total',
        type: 'counter',
        help: 'REST requests sent to the portal, by HTTP status of the answer (0: no answer).',
        samples: (row) =>
            Object.entries(row.totals.requests).map(([code, value]) => ({ labels: { code }, value })),
    },
    {
        name: 'bitrix24_token_refreshes_total',
        type: 'counter',
        help: 'OAuth token refreshes.',
        samples: (row) => one(row.totals.refreshes),
    },
];

export function metricsText(snapshot: StatusSnapshot): string {
    const lines: string[] = [];
    for (const metric of METRICS) {
        lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`);
        for (const row of snapshot.rows) {
            for (const sample of metric.samples(row)) {
                if (sample.value === null) continue;
                const labels = { ...rowLabels(row), ...sample.labels };
                lines.push(`${metric.name}{${labelText(labels)}} ${sample.value}`);
            }
        }
    }
    return lines.join('\n') + '\n';
}

function rowLabels(row: StatusRowView): Record<string, string> {
    const labels: Record<string, string> = { portal: row.domain, node: row.nodeId };
    if (row.memberId) labels.member_id = row.memberId;
    return labels;
}

function labelText(labels: Record<string, string>): string {
    return Object.entries(labels)
        .map(([name, value]) => `${name}="${escapeLabel(value)}"`)
        .join(',');
}

/** Backslash, double quote and line feed are escaped in label values. */
function escapeLabel(value: string): string {
    return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
