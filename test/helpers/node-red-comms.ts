import WebSocket from 'ws';

export interface NodeStatus {
    text?: string;
    fill?: string;
    shape?: string;
}

/**
 * The editor's comms socket (`/comms`) of a running Node-RED without adminAuth: the status
 * badges the editor draws arrive here as `status/<node id>` messages, the current ones on
 * subscribing.
 */
export class NodeRedComms {
    /** The latest status of each node that has reported one. */
    readonly statuses = new Map<string, NodeStatus>();
    /** Every status text each node has shown, in order. */
    readonly history = new Map<string, string[]>();

    private constructor(private readonly socket: WebSocket) {
        // binaryType is the default 'nodebuffer': every frame arrives as one Buffer
        socket.on('message', (data: Buffer) => {
            const messages = JSON.parse(data.toString()) as { topic: string; data: unknown }[];
            for (const { topic, data: status } of [messages].flat()) {
                if (!topic.startsWith('status/')) continue;
                const id = topic.slice('status/'.length);
                const view = (status ?? {}) as NodeStatus;
                this.statuses.set(id, view);
                if (view.text) this.history.set(id, [...(this.history.get(id) ?? []), view.text]);
            }
        });
    }

    static async connect(url: string): Promise<NodeRedComms> {
        const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/comms`);
        await new Promise<void>((resolve, reject) => {
            socket.once('open', () => resolve());
            socket.once('error', reject);
        });
        socket.send(JSON.stringify({ subscribe: 'status/#' }));
        return new NodeRedComms(socket);
    }

    close(): Promise<void> {
        if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
        return new Promise((resolve) => {
            this.socket.once('close', () => resolve());
            this.socket.terminate();
        });
    }
}
