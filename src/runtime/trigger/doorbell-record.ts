import { promises as fs } from 'node:fs';

import { isObject, writeFileAtomic } from '../../bitrix24';
import type { BindingSpec } from '../bind/binding-spec';

/**
 * The doorbell binding a trigger node made last, in a file of the user directory, so that a
 * deploy with another URL or `minTimeout` replaces it instead of adding a second one: the portal
 * keeps a handler's options from its first bind ("Handler already binded") and `event.get` does
 * not show them (docs/bitrix24.md §5). Without a file it lives as long as the node.
 */
export class DoorbellRecord {
    private remembered: BindingSpec | undefined;

    constructor(private readonly file?: string) {}

    async read(): Promise<BindingSpec | undefined> {
        if (!this.file || this.remembered) return this.remembered;
        const text = await fs.readFile(this.file, 'utf8').catch(() => undefined);
        // A missing or damaged record only costs the unbind of the old doorbell: a fresh bind follows.
        try {
            const value: unknown = text === undefined ? undefined : JSON.parse(text);
            return isBindingSpec(value) ? value : undefined;
        } catch {
            return undefined;
        }
    }

    async write(spec: BindingSpec): Promise<void> {
        this.remembered = spec;
        if (this.file) await writeFileAtomic(this.file, JSON.stringify(spec));
    }

    async clear(): Promise<void> {
        this.remembered = undefined;
        if (this.file) await fs.rm(this.file, { force: true });
    }
}

function isBindingSpec(value: unknown): value is BindingSpec {
    return (
        isObject(value) &&
        typeof value.event === 'string' &&
        (value.eventType === 'online' || value.eventType === 'offline') &&
        typeof value.handler === 'string' &&
        typeof value.connector === 'string' &&
        isObject(value.options)
    );
}
