import { promises as fs } from 'node:fs';
import path from 'node:path';

import { JsonFile, MemoryDocument, type JsonDocument } from './json-document';

/**
 * Where the package keeps its documents between restarts: every portal's tokens, every get
 * node's ledger, every trigger's doorbell record and, for an application installed on many
 * portals, its installations. One interface, two implementations: files in the Node-RED user
 * directory (the default) and a shared store (Redis) when several instances work together.
 * Nothing above this interface knows which one it has.
 */
export interface DocumentStore {
    /** The document called `name`: letters, digits, `.`, `_` and `-`, e.g. `ledger-<node>-<member>`. */
    document<T>(name: string): JsonDocument<T>;
    /** The names of the stored documents that start with `prefix`, in no particular order. */
    names(prefix: string): Promise<string[]>;
}

/** A name as a file name: anything but letters, digits, `.`, `_` and `-` becomes `_`. */
export function documentName(name: string): string {
    return name.replace(/[^\w.-]/g, '_');
}

/** One JSON file per document in `directory`, replaced atomically, mode 0600. */
export class FileDocumentStore implements DocumentStore {
    constructor(readonly directory: string) {}

    document<T>(name: string): JsonFile<T> {
        return new JsonFile<T>(path.join(this.directory, documentName(name)));
    }

    async names(prefix: string): Promise<string[]> {
        let files: string[];
        try {
            files = await fs.readdir(this.directory);
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
            throw err;
        }
        const wanted = documentName(prefix);
        // A temporary file of an atomic write ends in `.tmp`: not a document.
        return files.filter((file) => file.startsWith(wanted) && !file.endsWith('.tmp'));
    }
}

/** Documents that live as long as the store: for a runtime without a user directory. */
export class MemoryDocumentStore implements DocumentStore {
    private readonly documents = new Map<string, MemoryDocument<unknown>>();

    document<T>(name: string): JsonDocument<T> {
        const key = documentName(name);
        let document = this.documents.get(key);
        if (!document) {
            document = new MemoryDocument<unknown>();
            this.documents.set(key, document);
        }
        return document as JsonDocument<T>;
    }

    async names(prefix: string): Promise<string[]> {
        const wanted = documentName(prefix);
        const present: string[] = [];
        for (const [name, document] of this.documents) {
            if (name.startsWith(wanted) && (await document.read()) !== undefined) present.push(name);
        }
        return present;
    }
}
