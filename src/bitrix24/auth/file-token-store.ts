import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

import { JsonFile, type JsonDocument } from '../storage/json-document';
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

/** The stored form of a token pair: encrypted under the credential secret, or plain without one. */
export type TokenDocument = EncryptedFile | PlainFile;

/**
 * Tokens in one document of a DocumentStore, encrypted with AES-256-GCM under a key derived from
 * the runtime's credential secret when there is one (design: "OAuth done right").
 */
export class DocumentTokenStore implements TokenStore {
    constructor(
        private readonly document: JsonDocument<TokenDocument>,
        private readonly secret?: string,
    ) {}

    async load(): Promise<StoredTokens | undefined> {
        const content = await this.document.read();
        if (content === undefined) return undefined;
        if (!content.encrypted) return content.tokens;
        if (!this.secret) throw new Error('the token file is encrypted, but no credential secret is set');
        return JSON.parse(decrypt(content, this.secret)) as StoredTokens;
    }

    async save(tokens: StoredTokens): Promise<void> {
        const content: TokenDocument = this.secret
            ? encrypt(JSON.stringify(tokens), this.secret)
            : { version: 1, encrypted: false, tokens };
        await this.document.write(content);
    }

    /** Forgets the tokens. */
    remove(): Promise<void> {
        return this.document.remove();
    }
}

/**
 * Tokens in one file of the Node-RED user directory: mode 0600, replaced atomically
 * (write a temporary file, fsync, rename), encrypted as DocumentTokenStore's.
 */
export class FileTokenStore extends DocumentTokenStore {
    constructor(
        readonly file: string,
        secret?: string,
    ) {
        super(new JsonFile<TokenDocument>(file), secret);
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
