import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

import type { StoredTokens, TokenStore } from './tokens';

interface EncryptedFile {
    version: 1;
    encrypted: true;
    salt: string;
    iv: string;
    tag: string;
    data: string;
}

interface PlainFile {
    version: 1;
    encrypted: false;
    tokens: StoredTokens;
}

/**
 * Tokens in one file of the Node-RED user directory: mode 0600, replaced atomically
 * (write a temporary file, fsync, rename), and encrypted with AES-256-GCM under a key derived
 * from the runtime's credential secret when there is one (design: "OAuth done right").
 */
export class FileTokenStore implements TokenStore {
    constructor(
        readonly file: string,
        private readonly secret?: string,
    ) {}

    async load(): Promise<StoredTokens | undefined> {
        let text: string;
        try {
            text = await fs.readFile(this.file, 'utf8');
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
            throw err;
        }
        const content = JSON.parse(text) as EncryptedFile | PlainFile;
        if (!content.encrypted) return content.tokens;
        if (!this.secret) throw new Error('the token file is encrypted, but no credential secret is set');
        return JSON.parse(decrypt(content, this.secret)) as StoredTokens;
    }

    async save(tokens: StoredTokens): Promise<void> {
        const content: EncryptedFile | PlainFile = this.secret
            ? encrypt(JSON.stringify(tokens), this.secret)
            : { version: 1, encrypted: false, tokens };
        await writeFileAtomic(this.file, JSON.stringify(content));
    }
}

/** Writes a file so that readers see the old or the new content, never a mix; mode 0600. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
    const dir = path.dirname(file);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await fs.open(temp, 'w', 0o600);
    try {
        await handle.writeFile(content);
        await handle.sync();
    } finally {
        await handle.close();
    }
    await fs.chmod(temp, 0o600);
    await fs.rename(temp, file);
    const dirHandle = await fs.open(dir, 'r');
    try {
        await dirHandle.sync();
    } finally {
        await dirHandle.close();
    }
    await removeStaleTemps(file);
}

/**
 * Removes the temporary copies that a process killed between writing and renaming left beside
 * `file` (a copy of the token file is still a copy of the tokens). A temp named with another pid
 * belongs to a process that is gone: one Node-RED owns a user directory.
 */
async function removeStaleTemps(file: string): Promise<void> {
    const dir = path.dirname(file);
    const prefix = `${path.basename(file)}.`;
    for (const name of await fs.readdir(dir)) {
        const [pid, hex, ext] = name.startsWith(prefix) ? name.slice(prefix.length).split('.') : [];
        if (ext === 'tmp' && /^\d+$/.test(pid) && /^[0-9a-f]{12}$/.test(hex) && Number(pid) !== process.pid) {
            await fs.rm(path.join(dir, name), { force: true });
        }
    }
}

/** A short, one-way fingerprint of a token (never the token itself). */
export function fingerprint(value: string | undefined): string {
    return value ? createHash('sha256').update(value).digest('hex').slice(0, 32) : '';
}

function key(secret: string, salt: Buffer): Buffer {
    return Buffer.from(hkdfSync('sha256', secret, salt, 'b24sync token file', 32));
}

function encrypt(plain: string, secret: string): EncryptedFile {
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

function decrypt(file: EncryptedFile, secret: string): string {
    const decipher = createDecipheriv(
        'aes-256-gcm',
        key(secret, Buffer.from(file.salt, 'base64')),
        Buffer.from(file.iv, 'base64'),
    );
    decipher.setAuthTag(Buffer.from(file.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(file.data, 'base64')), decipher.final()]).toString(
        'utf8',
    );
}
