import type { Node, NodeStatusFill, NodeStatusShape } from 'node-red';

export interface StatusView {
    fill: NodeStatusFill;
    shape: NodeStatusShape;
    text: string;
}

/**
 * A node's badge. A passing state (throttled) shows over the node's own state and gives way to
 * it after its time; the texts come in translated.
 */
export class StatusBadge {
    private current: StatusView | Record<string, never> = {};
    private overlay: NodeJS.Timeout | undefined;

    constructor(private readonly node: Node) {
        node.on('close', () => this.close());
    }

    /** Shows the node's own state; the same state again sends nothing (a retry that fails alike). */
    show(fill: NodeStatusFill, shape: NodeStatusShape, text: string): void {
        const { current } = this;
        if (current.fill === fill && current.shape === shape && current.text === text) return;
        this.current = { fill, shape, text };
        if (!this.overlay) this.node.status(this.current);
    }

    clear(): void {
        this.current = {};
        if (!this.overlay) this.node.status({});
    }

    /** Shows `text` for `ms`, then the node's own state again. */
    flash(fill: NodeStatusFill, shape: NodeStatusShape, text: string, ms: number): void {
        clearTimeout(this.overlay);
        this.node.status({ fill, shape, text });
        this.overlay = setTimeout(() => {
            this.overlay = undefined;
            this.node.status(this.current);
        }, ms);
    }

    close(): void {
        clearTimeout(this.overlay);
        this.overlay = undefined;
    }
}
