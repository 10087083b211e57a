import { createHash } from 'node:crypto';

import { JsonFile } from '../storage/json-document';
import { seal, unseal, type Sealed } from './token-cipher';
import type { StoredTokens, TokenStore } from './tokens';

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
    private readonly document: JsonFile<Sealed | PlainFile>;

    constructor(
        readonly file: string,
        private readonly secret?: string,
    ) {
        this.document = new JsonFile(file);
    }

    async load(): Promise<StoredTokens | undefined> {
        const content = await this.document.read();
        if (content === undefined) return undefined;
        if (!content.encrypted) return content.tokens;
        if (!this.secret) throw new Error('the token file is encrypted, but no credential secret is set');
        return JSON.parse(unseal(content, this.secret)) as StoredTokens;
    }

    async save(tokens: StoredTokens): Promise<void> {
        const content: Sealed | PlainFile = this.secret
            ? seal(JSON.stringify(tokens), this.secret)
            : { version: 1, encrypted: false, tokens };
        await this.document.write(content);
    }
}

/** A short, one-way fingerprint of a token (never the token itself). */
export function fingerprint(value: string | undefined): string {
    return value ? createHash('sha256').update(value).digest('hex').slice(0, 32) : '';
}
