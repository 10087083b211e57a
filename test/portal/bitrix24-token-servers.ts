// Bitrix24's two token servers, https://oauth.bitrix.info (west) and https://oauth.bitrix24.tech
// (east), stood in for on this machine, so that a test can watch the runtime pick one by name:
// the names resolve to loopback addresses (the process's DNS lookup, swapped for the spec), east
// is a TLS relay on port 443 to the emulator's OAuth listener, and west has nothing listening.
import dns from 'node:dns';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

import { selfSignedIdentity } from '../../dist/emulator/http/self-signed';

const EAST_ADDRESS = '127.8.24.1';
const WEST_ADDRESS = '127.8.24.2';

export interface TokenServers {
    /** Token requests east relayed to the emulator, by grant type. */
    readonly eastGrants: string[];
    /** Makes `host` (a portal's name such as portal.bitrix24.ru) resolve to 127.0.0.1. */
    alias(host: string): void;
    stop(): Promise<void>;
}

/** Starts the stand-ins; `oauthListener` is the emulator's OAuth origin the east relay serves from. */
export async function standInTokenServers(oauthListener: () => string): Promise<TokenServers> {
    const names = new Map([
        ['oauth.bitrix24.tech', EAST_ADDRESS],
        ['oauth.bitrix.info', WEST_ADDRESS],
    ]);
    const eastGrants: string[] = [];
    const identity = selfSignedIdentity('oauth.bitrix24.tech');
    const east = https.createServer({ key: identity.key, cert: identity.cert }, (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            eastGrants.push(new URLSearchParams(body).get('grant_type') ?? '');
            fetch(`${oauthListener()}${req.url ?? '/'}`, {
                method: req.method,
                headers: { 'Content-Type': req.headers['content-type'] ?? 'text/plain' },
                body: req.method === 'POST' ? body : undefined,
            })
                .then(async (answer) => {
                    res.writeHead(answer.status, {
                        'Content-Type': answer.headers.get('content-type') ?? 'application/json',
                    });
                    res.end(await answer.text());
                })
                .catch(() => res.writeHead(502).end());
        });
    });
    await new Promise<void>((resolve, reject) => {
        east.once('error', reject);
        east.listen(443, EAST_ADDRESS, () => resolve());
    });
    if ((east.address() as AddressInfo).port !== 443) throw new Error('the east stand-in is not on 443');

    const lookup = dns.lookup;
    const swapped = function (this: unknown, host: string, ...rest: unknown[]) {
        const address = names.get(String(host).toLowerCase());
        return (lookup as (...args: unknown[]) => void).call(this, address ?? host, ...rest);
    };
    dns.lookup = swapped as typeof dns.lookup;
    // The stand-in's certificate is self-signed; the client under test keeps its default checks
    // otherwise, and this process trusts it only while the stand-ins run.
    const rejectUnauthorized = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

    return {
        eastGrants,
        alias: (host) => names.set(host.toLowerCase(), '127.0.0.1'),
        stop: async () => {
            dns.lookup = lookup;
            if (rejectUnauthorized === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
            else process.env.NODE_TLS_REJECT_UNAUTHORIZED = rejectUnauthorized;
            east.closeAllConnections();
            await new Promise<void>((resolve) => east.close(() => resolve()));
        },
    };
}
