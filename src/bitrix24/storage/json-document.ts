import { promises as fs } from 'node:fs';

import { writeFileAtomic } from './write-file-atomic';

/**
 * One JSON document the package keeps between restarts: a portal's tokens, a get node's ledger,
 * a trigger's doorbell record. The seam where a shared store (Redis) can stand in for the file.
 */
export interface JsonDocument<T> {
    /** The stored value; undefined when nothing is stored. Rejects when it cannot be read or parsed. */
    read(): Promise<T | undefined>;
    /** Replaces the stored value as a whole: a reader sees the old or the new one, never a mix. */
    write(value: T): Promise<void>;
    /** Forgets the stored value; nothing stored is no error. */
    remove(): Promise<void>;
}

/** A document in a file of the user directory, replaced atomically, mode 0600. */
export class JsonFile<T> implements JsonDocument<T> {
    constructor(readonly file: string) {}

    async read(): Promise<T | undefined> {
        let text: string;
        try {
            text = await fs.readFile(this.file, 'utf8');
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
            throw err;
        }
        // The file is this package's own: its owner checks the shape where a damaged one matters.
        return JSON.parse(text) as T;
    }

    write(value: T): Promise<void> {
        return writeFileAtomic(this.file, JSON.stringify(value));
    }

    remove(): Promise<void> {
        return fs.rm(this.file, { force: true });
    }
}

/** A document that lives as long as its owner: for a runtime without a user directory. */
export class MemoryDocument<T> implements JsonDocument<T> {
    private value: T | undefined;

    read(): Promise<T | undefined> {
        return Promise.resolve(this.value);
    }

    write(value: T): Promise<void> {
        this.value = value;
        return Promise.resolve();
    }

    remove(): Promise<void> {
        this.value = undefined;
        return Promise.resolve();
    }
}
