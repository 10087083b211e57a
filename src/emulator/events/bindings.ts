// Event handlers (b_rest_event). One row per (APP_ID, EVENT_NAME, EVENT_HANDLER, USER_ID,
// CONNECTOR_ID); offline handlers have EVENT_HANDLER = '' (docs/bitrix24.md §5).

export interface Binding {
    id: number;
    appId: number;
    eventName: string;
    /** '' for an offline handler. */
    handler: string;
    /** auth_type: the user whose token an online handler receives; 0 = the acting user. */
    userId: number;
    connector: string;
    options: Record<string, string | number>;
}

export class BindingStore {
    private readonly byId = new Map<number, Binding>();
    private readonly byEvent = new Map<string, Binding[]>();
    private nextId = 1;

    add(spec: Omit<Binding, 'id'>): Binding | 'duplicate' {
        const existing = this.byEvent.get(spec.eventName) ?? [];
        const duplicate = existing.some(
            (binding) =>
                binding.appId === spec.appId &&
                binding.handler === spec.handler &&
                binding.userId === spec.userId &&
                binding.connector === spec.connector,
        );
        if (duplicate) return 'duplicate';
        const binding: Binding = { id: this.nextId++, ...spec };
        this.byId.set(binding.id, binding);
        this.byEvent.set(spec.eventName, [...existing, binding]);
        return binding;
    }

    /** Deletes every binding `match` accepts; returns how many. */
    remove(match: (binding: Binding) => boolean): number {
        let count = 0;
        for (const binding of [...this.byId.values()]) {
            if (!match(binding)) continue;
            this.byId.delete(binding.id);
            const rest = (this.byEvent.get(binding.eventName) ?? []).filter((other) => other !== binding);
            if (rest.length === 0) this.byEvent.delete(binding.eventName);
            else this.byEvent.set(binding.eventName, rest);
            count++;
        }
        return count;
    }

    forEvent(eventName: string): readonly Binding[] {
        return this.byEvent.get(eventName) ?? [];
    }

    forApp(appId: number): Binding[] {
        return [...this.byId.values()]
            .filter((binding) => binding.appId === appId)
            .sort((a, b) => a.id - b.id);
    }
}
