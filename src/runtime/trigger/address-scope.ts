import { BlockList, isIP } from 'node:net';

/** Where a host is reachable from: only this machine, a private network, or anywhere. */
export type AddressScope = 'loopback' | 'private' | 'public';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('0.0.0.0', 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
LOOPBACK.addAddress('::', 'ipv6');

const PRIVATE = new BlockList();
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
// Link-local and carrier-grade NAT: not reachable from the internet either.
PRIVATE.addSubnet('169.254.0.0', 16, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');
PRIVATE.addSubnet('fe80::', 10, 'ipv6');

/**
 * The scope of a URL's host, read from the name as written, without DNS: an IP literal by its
 * range; `localhost` and `*.localhost` (RFC 6761) as loopback; `*.local` (mDNS, RFC 6762) as
 * private; every other name as public. A name is not resolved because what it resolves to here
 * says nothing of what it resolves to for the portal's servers.
 */
export function hostScope(url: string): AddressScope | undefined {
    let host: string;
    try {
        host = new URL(url).hostname
            .toLowerCase()
            .replace(/^\[|\]$/g, '')
            .replace(/\.$/, '');
    } catch {
        return undefined;
    }
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1];
    const address = mapped ?? host;
    const family = isIP(address);
    if (family !== 0) {
        const type = family === 4 ? 'ipv4' : 'ipv6';
        if (LOOPBACK.check(address, type)) return 'loopback';
        return PRIVATE.check(address, type) ? 'private' : 'public';
    }
    if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
    return host.endsWith('.local') ? 'private' : 'public';
}

/**
 * Whether a doorbell at `publicUrl` can never ring: its host is loopback, private or `.local`
 * while the portal's is public, so the portal accepts `event.bind` and then cannot reach it
 * (issue 12). A portal on this machine or network (the emulator, an on-premise Bitrix24 named
 * by its address or a `.local` name) may reach such a URL, and is not warned about.
 */
export function unreachableDoorbell(publicUrl: string, portalUrl: string): boolean {
    if (!publicUrl) return false;
    const doorbell = hostScope(publicUrl);
    return doorbell !== undefined && doorbell !== 'public' && hostScope(portalUrl) === 'public';
}
