import type { PortalConnection } from '../portal/portal-connection';
import { sameBinding, type BindingSpec } from './binding-spec';
import { EventBindings, type BindResult } from './event-bindings';

export interface KeepBoundReport {
    /** The portal has no tokens yet: the binding waits for the installation or Connect. */
    waiting(): void;
    bound(result: BindResult): void;
    failed(err: unknown): void;
}

/** Where the binding made last is kept, so that a changed one replaces it. */
export interface BindingMemory {
    read(): Promise<BindingSpec | undefined>;
    write(spec: BindingSpec): Promise<void>;
}

/**
 * Makes sure of a binding at deploy, once the portal's tokens are read, and again each time the
 * portal becomes ready anew (an installation or Connect): a reinstalled application has lost its
 * handlers (docs/bitrix24.md §5). Each run reads `event.get` and binds only what is missing. With a
 * `memory`, a binding that differs from the one made last (another URL or options) is made after
 * the old one is unbound: binding it again would keep the old options. Returns the function that
 * stops it, which resolves once a run under way is over (and the memory says what the portal has).
 */
export function keepBound(
    connection: PortalConnection,
    spec: () => Promise<BindingSpec>,
    report: KeepBoundReport,
    memory?: BindingMemory,
): () => Promise<void> {
    let stopped = false;
    let running: Promise<void> = Promise.resolve();
    const run = () => {
        running = running.then(async () => {
            if (stopped) return;
            try {
                const bindings = new EventBindings(await connection.client());
                const next = await spec();
                const previous = await memory?.read();
                if (previous && !sameBinding(previous, next)) await bindings.unbind(previous);
                const result = await bindings.ensure(next);
                await memory?.write(next);
                if (!stopped) report.bound(result);
            } catch (err) {
                if (!stopped) report.failed(err);
            }
        });
    };
    const onState = (state: string) => {
        if (state === 'ready') run();
        else if (state === 'unauthorized') report.waiting();
    };
    void connection.ready.then(() => {
        if (stopped) return;
        // Subscribed only now, so the first 'ready' (emitted while opening) does not run it twice.
        connection.on('state', onState);
        // A failed portal is run too: the error it reports is the configuration error.
        if (connection.state === 'unauthorized') report.waiting();
        else run();
    });
    return () => {
        stopped = true;
        connection.off('state', onState);
        return running;
    };
}
