import http from 'node:http';

import { listenLocally, type LocalServer } from '../../dist/demo/local-server';

/** One batch as the flow posted it. */
export interface Batch {
    instance: string;
    redelivery: number;
    ids: string[];
    /** Unix ms of arrival. */
    at: number;
}

/** The external system of the scale test: records every batch each instance delivers. */
export class DeliverySink {
    readonly batches: Batch[] = [];
    /** How long each answer waits. */
    delayMs = 0;

    private server: LocalServer | undefined;
    private base = '';

    static async start(): Promise<DeliverySink> {
        const sink = new DeliverySink();
        sink.server = await listenLocally(http.createServer((req, res) => sink.receive(req, res)));
        sink.base = sink.server.url;
        return sink;
    }

    get url(): string {
        return `${this.base}/deliver`;
    }

    /** Every MESSAGE_ID delivered, each once however often it came. */
    delivered(): Set<string> {
        return new Set(this.batches.flatMap((batch) => batch.ids));
    }

    /** How many deliveries were of a row already delivered before. */
    duplicates(): number {
        return this.batches.reduce((sum, batch) => sum + batch.ids.length, 0) - this.delivered().size;
    }

    /** Rows delivered in [from, to) that had been delivered before. */
    duplicatesBetween(from: number, to = Infinity): number {
        const seen = new Set<string>();
        let count = 0;
        for (const batch of this.batches) {
            for (const id of batch.ids) {
                if (seen.has(id) && batch.at >= from && batch.at < to) count++;
                seen.add(id);
            }
        }
        return count;
    }

    /** The instances that delivered first deliveries (not redeliveries) after `since`. */
    drainersSince(since: number): Set<string> {
        return new Set(
            this.batches.filter((b) => b.at >= since && b.redelivery === 0).map((b) => b.instance),
        );
    }

    async close(): Promise<void> {
        await this.server?.close();
    }

    private receive(req: http.IncomingMessage, res: http.ServerResponse): void {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
            try {
                const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Omit<Batch, 'at'>;
                this.batches.push({ ...body, at: Date.now() });
                setTimeout(() => res.end('ok'), this.delayMs);
            } catch {
                res.statusCode = 400;
                res.end();
            }
        });
    }
}
