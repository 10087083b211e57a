import { isObject, type JsonDocument } from '../../bitrix24/internal';
import type { BindingSpec } from '../bind/binding-spec';

/**
 * The doorbell binding a trigger node made last, in a document of the user directory, so that a
 * deploy with another URL or `minTimeout` replaces it instead of adding a second one: the portal
 * keeps a handler's options from its first bind ("Handler already binded") and `event.get` does
 * not show them (docs/bitrix24.md §5). Without a file it lives as long as the node.
 */
export class DoorbellRecord {
    constructor(private readonly document: JsonDocument<unknown>) {}

    async read(): Promise<BindingSpec | undefined> {
        // A missing or damaged record only costs the unbind of the old doorbell: a fresh bind follows.
        const value = await this.document.read().catch(() => undefined);
        return isBindingSpec(value) ? value : undefined;
    }

    write(spec: BindingSpec): Promise<void> {
        return this.document.write(spec);
    }

    clear(): Promise<void> {
        return this.document.remove();
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
