// node-red-node-test-helper ships no typings; this declares the part of its API the specs use.
declare module 'node-red-node-test-helper' {
    import type { Express } from 'express';
    import type { Node, NodeAPI } from 'node-red';
    import type { SinonSpy } from 'sinon';
    import type supertest from 'supertest';

    type NodeModule = (red: NodeAPI) => void | Promise<void>;
    type FlowNode = Record<string, unknown> & { id: string; type: string };

    interface TestNode extends Node {
        receive(msg: Record<string, unknown>): void;
    }

    interface NodeTestHelper {
        init(nodeRedRuntime: string, userSettings?: Record<string, unknown>): void;
        load(
            module: NodeModule | NodeModule[],
            flow: FlowNode[],
            credentials?: Record<string, Record<string, unknown>>,
        ): Promise<void>;
        unload(): Promise<void>;
        getNode(id: string): TestNode;
        settings(settings: Record<string, unknown>): void;
        setFlows(flow: FlowNode[], type?: string, credentials?: Record<string, unknown>): Promise<void>;
        startServer(): Promise<void>;
        stopServer(): Promise<void>;
        url(): string;
        request(): supertest.Agent;
        log(): SinonSpy;
        _httpAdmin?: Express;
    }

    const helper: NodeTestHelper;
    export default helper;
}
