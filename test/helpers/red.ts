import type { NodeAPI } from 'node-red';

/**
 * The test helper serves only admin routes through `helper.request()`; routes on `RED.httpNode`
 * are reached through the API object that a module receives (docs/node-red.md §5.1).
 */
export function captureRed(): { module: (red: NodeAPI) => void; get red(): NodeAPI } {
    let captured: NodeAPI | undefined;
    return {
        module: (red: NodeAPI) => {
            captured = red;
        },
        get red() {
            if (!captured) throw new Error('load the flow first');
            return captured;
        },
    };
}
