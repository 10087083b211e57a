import http from 'node:http';

import { listenLocally } from '../../dist/demo/local-server';

/**
 * Stands between the farm's portals and Node-RED's install URL, as the network does: it hands
 * each installation's application token to `onApplicationToken` (for the secret scan: the farm
 * does not tell it otherwise) and forwards the POST unchanged, answering with Node-RED's status.
 */
export async function startInstallRelay(
    installUrl: string,
    onApplicationToken: (token: string) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
    const server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            const token = new URLSearchParams(body).get('auth[application_token]');
            if (token) onApplicationToken(token);
            fetch(installUrl, {
                method: 'POST',
                headers: {
                    'Content-Type': request.headers['content-type'] ?? 'application/x-www-form-urlencoded',
                },
                body,
            }).then(
                async (answer) => {
                    await answer.arrayBuffer();
                    response.writeHead(answer.status).end();
                },
                () => response.writeHead(502).end(),
            );
        });
    });
    const local = await listenLocally(server);
    return { url: `${local.url}/install`, close: () => local.close() };
}
