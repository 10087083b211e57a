// An HTTP (or, with a TLS identity, HTTPS) listener that can be stopped completely: open
// keep-alive sockets are closed too, so `stop()` leaves no handle behind.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

import type { TlsIdentity } from './self-signed';

export type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => Promise<void>;

export class Listener {
    private readonly server: http.Server;

    constructor(handler: Handler, onError: (error: unknown) => void, tls?: TlsIdentity) {
        const serve = (request: http.IncomingMessage, response: http.ServerResponse) => {
            handler(request, response).catch((error: unknown) => {
                onError(error);
                if (!response.headersSent && !response.destroyed) {
                    response.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
                    response.end(
                        JSON.stringify({
                            error: 'INTERNAL_SERVER_ERROR',
                            error_description: 'Internal server error',
                        }),
                    );
                } else {
                    response.destroy();
                }
            });
        };
        this.server = tls
            ? https.createServer({ key: tls.key, cert: tls.cert }, serve)
            : http.createServer(serve);
        this.server.keepAliveTimeout = 5000;
    }

    listen(port: number, host: string): Promise<number> {
        return new Promise((resolve, reject) => {
            this.server.once('error', reject);
            this.server.listen(port, host, () => {
                this.server.off('error', reject);
                resolve((this.server.address() as AddressInfo).port);
            });
        });
    }

    close(): Promise<void> {
        return new Promise((resolve) => {
            if (!this.server.listening) {
                resolve();
                return;
            }
            this.server.close(() => resolve());
            this.server.closeAllConnections();
        });
    }
}
