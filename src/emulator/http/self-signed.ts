// A self-signed certificate for `--tls`, made at start with node:crypto alone: an EC P-256 key and
// a minimal X.509 v3 certificate (RFC 5280) for the listen host, `localhost` and 127.0.0.1, valid
// for a year. Only the few DER shapes a certificate needs are written here.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';

export interface TlsIdentity {
    /** PEM private key. */
    key: string;
    /** PEM certificate (also the trust anchor a client needs, being self-signed). */
    cert: string;
}

function length(size: number): Buffer {
    if (size < 0x80) return Buffer.from([size]);
    const bytes: number[] = [];
    for (let rest = size; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
    return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
    const body = Buffer.concat(content);
    return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, ...items);
const set = (...items: Buffer[]) => tlv(0x31, ...items);
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const octets = (content: Buffer) => tlv(0x04, content);
const bitString = (content: Buffer) => tlv(0x03, Buffer.from([0]), content);
const explicit = (tag: number, content: Buffer) => tlv(0xa0 | tag, content);

function oid(dotted: string): Buffer {
    const [first, second, ...rest] = dotted.split('.').map(Number);
    const bytes = [first * 40 + second];
    for (const arc of rest) {
        const groups = [arc & 0x7f];
        for (let value = arc >>> 7; value > 0; value >>>= 7) groups.unshift(0x80 | (value & 0x7f));
        bytes.push(...groups);
    }
    return tlv(0x06, Buffer.from(bytes));
}

function positiveInteger(bytes: Buffer): Buffer {
    const clean = Buffer.from(bytes);
    clean[0] &= 0x7f; // keep it positive without a leading zero byte
    if (clean[0] === 0) clean[0] = 1;
    return tlv(0x02, clean);
}

function time(date: Date): Buffer {
    const iso = date.toISOString(); // 2026-12-08T01:02:03.456Z
    const text = iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16);
    return tlv(0x17, Buffer.from(`${text}${iso.slice(17, 19)}Z`, 'ascii')); // UTCTime, fine until 2049
}

function ipBytes(address: string): Buffer {
    if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
    const url = new URL(`http://[${address}]/`); // normalises "::1" and friends
    const groups = url.hostname.slice(1, -1).split(':');
    const gap = groups.indexOf('');
    const full =
        gap === -1
            ? groups
            : [
                  ...groups.slice(0, gap),
                  ...Array<string>(8 - groups.filter(Boolean).length).fill('0'),
                  ...groups.slice(gap).filter(Boolean),
              ];
    return Buffer.concat(full.map((group) => Buffer.from(group.padStart(4, '0'), 'hex')));
}

function subjectAltName(host: string): Buffer {
    const names = new Set(['localhost', '127.0.0.1', host]);
    const entries = [...names].map((name) =>
        isIP(name) ? tlv(0x87, ipBytes(name)) : tlv(0x82, Buffer.from(name, 'ascii')),
    );
    return sequence(oid('2.5.29.17'), octets(sequence(...entries)));
}

export function selfSignedIdentity(host: string): TlsIdentity {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const ecdsaWithSha256 = sequence(oid('1.2.840.10045.4.3.2'));
    const name = sequence(set(sequence(oid('2.5.4.3'), utf8('b24-emulator'))));
    const now = Date.now();
    const basicConstraints = sequence(oid('2.5.29.19'), octets(sequence()));
    const tbs = sequence(
        explicit(0, tlv(0x02, Buffer.from([2]))), // v3
        positiveInteger(randomBytes(16)),
        ecdsaWithSha256,
        name,
        sequence(time(new Date(now - 60_000)), time(new Date(now + 365 * 86400_000))),
        name,
        publicKey.export({ type: 'spki', format: 'der' }),
        explicit(3, sequence(basicConstraints, subjectAltName(host))),
    );
    const signature = sign('sha256', tbs, privateKey); // DER-encoded ECDSA signature
    const der = sequence(tbs, ecdsaWithSha256, bitString(signature));
    const base64 = der.toString('base64').replace(/.{64}/g, '$&\n');
    return {
        key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        cert: `-----BEGIN CERTIFICATE-----\n${base64.trimEnd()}\n-----END CERTIFICATE-----\n`,
    };
}
