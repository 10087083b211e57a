// Outgoing form POSTs (event handlers, ONOFFLINEEVENT rings, the installation callback). Each
// request is tracked so that `stop()` can abort it and leave no open handle; no keep-alive.
import http from 'node:http';
import https from 'node:https';

export interface PostResult {
    status: number;
}

export class HttpClient {
    private readonly inFlight = new Set<http.ClientRequest>();
    private stopped = false;

    postForm(url: string, body: string, timeoutMs = 10000): Promise<PostResult> {
        if (this.stopped) return Promise.reject(new Error('emulator stopped'));
        return new Promise((resolve, reject) => {
            const target = new URL(url);
            const transport = target.protocol === 'https:' ? https : http;
            const request = transport.request(
                target,
                {
                    method: 'POST',
                    agent: false,
                    timeout: timeoutMs,
                    headers: {
                        'Content-Type': 'application/x-www-form-urlencoded',
                        'Content-Length': Buffer.byteLength(body),
                        Connection: 'close',
                        'User-Agent': 'Bitrix24 Webhook Engine (emulator)',
                    },
                },
                (response) => {
                    response.resume();
                    response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
                    response.on('error', reject);
                },
            );
            this.inFlight.add(request);
            request.on('close', () => this.inFlight.delete(request));
            request.on('timeout', () => request.destroy(new Error('timeout')));
            request.on('error', reject);
            request.end(body);
        });
    }

    stop(): void {
        this.stopped = true;
        for (const request of this.inFlight) request.destroy(new Error('emulator stopped'));
        this.inFlight.clear();
    }
}
