import http from 'node:http';

import { listenLocally } from './local-server';

/** The demo's stand-in for the external system: it accepts every POST with 200 and counts them. */
export interface Sink {
    /** e.g. http://127.0.0.1:40125/api/bitrix24 */
    url: string;
    /** POSTs received so far. */
    received(): number;
    stop(): Promise<void>;
}

export async function startSink(path = '/api/bitrix24'): Promise<Sink> {
    let received = 0;
    const server = http.createServer((request, response) => {
        request.resume();
        request.on('end', () => {
            if (request.method === 'POST' && request.url === path) {
                received++;
                response.writeHead(200, { 'Content-Type': 'application/json' });
                response.end('{"ok":true}');
            } else {
                response.writeHead(404).end();
            }
        });
    });
    const local = await listenLocally(server);
    return { url: `${local.url}${path}`, received: () => received, stop: () => local.close() };
}
