import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/** A JSON text sealed with AES-256-GCM under a key derived from a shared secret. */
export interface Sealed {
    version: 1;
    encrypted: true;
    salt: string;
    iv: string;
    tag: string;
    data: string;
}

/**
 * The scheme of the token file (design: "OAuth done right"), used wherever the package keeps
 * secrets at rest: a fresh salt and IV per write, HKDF-SHA256 of the secret, AES-256-GCM.
 */
export function seal(plain: string, secret: string): Sealed {
    const salt = randomBytes(16);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key(secret, salt), iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return {
        version: 1,
        encrypted: true,
        salt: salt.toString('base64'),
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        data: data.toString('base64'),
    };
}

/** The plain text of `sealed`; throws when the secret is not the one it was sealed under. */
export function unseal(sealed: Sealed, secret: string): string {
    const decipher = createDecipheriv(
        'aes-256-gcm',
        key(secret, Buffer.from(sealed.salt, 'base64')),
        Buffer.from(sealed.iv, 'base64'),
    );
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString(
        'utf8',
    );
}

/**
 * A keyed one-way fingerprint of a token: equal tokens give equal fingerprints under one secret,
 * and nobody without the secret can test a guess against it.
 */
export function keyedFingerprint(value: string | undefined, secret: string): string {
    return value ? createHmac('sha256', secret).update(value).digest('hex').slice(0, 32) : '';
}

function key(secret: string, salt: Buffer): Buffer {
    return Buffer.from(hkdfSync('sha256', secret, salt, 'b24sync token file', 32));
}
