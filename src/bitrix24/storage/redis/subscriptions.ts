import type { Redis } from 'ioredis';

type Listener = (message: string) => void;

/**
 * Pub/sub on a connection of its own (a subscribed Redis connection runs no other command).
 * Channels are subscribed again each time the connection is ready, since a subscription made
 * while Redis was away never reached it; `onReady` callbacks then catch up on what was missed.
 */
export class Subscriptions {
    private readonly listeners = new Map<string, Set<Listener>>();
    private readonly readyHooks = new Set<() => void>();

    /** `main`: the connection the `onReady` callbacks use; they run again when it is ready too. */
    constructor(
        private readonly connection: Redis,
        main: Redis,
    ) {
        main.on('ready', () => {
            for (const hook of this.readyHooks) hook();
        });
        connection.on('message', (channel: string, message: string) => {
            for (const listener of this.listeners.get(channel) ?? []) listener(message);
        });
        connection.on('ready', () => {
            const channels = [...this.listeners.keys()];
            if (channels.length > 0) void this.connection.subscribe(...channels).catch(() => undefined);
            for (const hook of this.readyHooks) hook();
        });
    }

    /** Calls `listener` with each message on `channel`; `onReady` now and after each reconnect. */
    listen(channel: string, listener: Listener, onReady?: () => void): () => void {
        let set = this.listeners.get(channel);
        if (!set) {
            set = new Set();
            this.listeners.set(channel, set);
            if (this.connection.status === 'ready') {
                void this.connection.subscribe(channel).catch(() => undefined);
            }
        }
        set.add(listener);
        if (onReady) {
            this.readyHooks.add(onReady);
            onReady();
        }
        return () => {
            if (onReady) this.readyHooks.delete(onReady);
            const listeners = this.listeners.get(channel);
            listeners?.delete(listener);
            if (listeners?.size === 0) {
                this.listeners.delete(channel);
                void this.connection.unsubscribe(channel).catch(() => undefined);
            }
        };
    }
}
