import type http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server of the demo or a test, listening on a free port of 127.0.0.1. */
export interface LocalServer {
    /** e.g. http://127.0.0.1:40125 */
    url: string;
    port: number;
    /** Closes the server and the connections still open to it. */
    close: () => Promise<void>;
}

/** Starts `server` on a free port of 127.0.0.1. */
export async function listenLocally(server: http.Server): Promise<LocalServer> {
    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            server.off('error', reject);
            resolve();
        });
    });
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        port,
        close: async () => {
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}
