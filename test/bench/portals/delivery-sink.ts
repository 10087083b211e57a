import http from 'node:http';

import { listenLocally } from '../../../dist/demo/local-server';

/** What the flow's function node reports for each delivered batch. */
export interface DeliveryReport {
    memberId: string;
    /** Unix ms when the batch reached the function node. */
    at: number;
    /** The changed objects' ids, one per row. */
    ids: string[];
}

/**
 * Change-to-delivery latency: the benchmark notes when it changes an object on a portal, the
 * flow reports when the row reached it. Each change is matched once, by portal and object id.
 */
export class LatencyBook {
    /** memberId -> object id -> when its first undelivered change was made. */
    private readonly pending = new Map<string, Map<string, number>>();
    /** memberId -> latencies in ms. */
    readonly latencies = new Map<string, number[]>();
    delivered = 0;
    /** Rows whose change the benchmark did not make or had already matched (redeliveries). */
    unmatched = 0;

    changed(memberId: string, id: string, at = Date.now()): void {
        let objects = this.pending.get(memberId);
        if (!objects) this.pending.set(memberId, (objects = new Map<string, number>()));
        // A second change before delivery merges into the same row: the first one counts.
        if (!objects.has(id)) objects.set(id, at);
    }

    deliveredBatch(report: DeliveryReport): void {
        const objects = this.pending.get(report.memberId);
        for (const id of report.ids) {
            const changedAt = objects?.get(id);
            if (changedAt === undefined) {
                this.unmatched++;
                continue;
            }
            objects?.delete(id);
            this.delivered++;
            let list = this.latencies.get(report.memberId);
            if (!list) this.latencies.set(report.memberId, (list = []));
            list.push(report.at - changedAt);
        }
    }

    /** Changes made and not delivered yet. */
    undelivered(): number {
        let count = 0;
        for (const objects of this.pending.values()) count += objects.size;
        return count;
    }
}

/** A local endpoint the flow's http request node posts its delivery reports to. */
export async function startDeliverySink(
    book: LatencyBook,
): Promise<{ url: string; stop: () => Promise<void> }> {
    const server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
            try {
                book.deliveredBatch(JSON.parse(Buffer.concat(chunks).toString('utf8')) as DeliveryReport);
                response.writeHead(200).end();
            } catch {
                response.writeHead(400).end();
            }
        });
    });
    const local = await listenLocally(server);
    return { url: `${local.url}/delivered`, stop: () => local.close() };
}
