import assert from 'node:assert/strict';

import type { NodeAPI } from 'node-red';
import helper from 'node-red-node-test-helper';

import portalModule from '../../dist/nodes/bitrix24-portal';
import { collect, rowsQueued, startBench, until, type Bench } from '../helpers/emulator-flow';
import { spies } from '../helpers/node-flow';

/**
 * The bad-input table of issue 7: each row is one way a node's input or configuration can be
 * wrong. It runs in the real runtime (test helper) against the emulator, and passes when the
 * node answers with a clear error (a meaningful part of its message) and the portal is left as
 * it was: no call of the methods the node would make, no row or binding changed.
 */

type NodeModule = (red: NodeAPI) => void;

/** What the rows of a table may read when they are built: the emulator and its queue. */
export interface TableContext {
    bench: Bench;
    /** A reservation of two queued rows (NodeUnderTest.reservation), else ''. */
    processId: string;
    messageIds: string[];
}

export interface BadInputRow {
    /** What is wrong, as the test title says it ("a msg without process_id"). */
    what: string;
    /** Changes to the node's valid configuration. */
    config?: Record<string, unknown>;
    /** Changes to the portal node, and its credentials instead of the OAuth app's. */
    portal?: { node?: Record<string, unknown>; credentials?: Record<string, string> };
    /** The input; without one the configuration itself fails at deploy. */
    msg?: Record<string, unknown>;
    /** A meaningful part of the error message. */
    error: RegExp;
    /** The error's code (INVALID_ARGUMENT, INVALID_CONFIG, WRONG_AUTH_TYPE, ...), when it has one. */
    code?: string;
    /** More methods this row may not call, beside the node's. */
    methods?: string[];
}

export interface NodeUnderTest {
    type: string;
    /** The describe title, when the table is about something else than `type` (the portal). */
    title?: string;
    module: NodeModule;
    /** A valid configuration; each row changes part of it. */
    config: Record<string, unknown>;
    /** The REST methods the node would call: a refused input calls none of them. */
    methods: string[];
    /** Outputs of the node (default 1). */
    outputs?: number;
    /**
     * Reserve two rows before the table runs, for rows that point at a real reservation. Not
     * for offline-get: it adopts a reservation no node owns (issue 4) and would read it.
     */
    reservation?: boolean;
}

/** Declares one `it` per row, each on a fresh emulator and user directory, so rows cannot interact. */
export function badInputTable(
    node: NodeUnderTest,
    rows: (context: TableContext) => BadInputRow[],
    more?: (get: () => TableContext) => void,
): void {
    describe(`bad input: ${node.title ?? node.type}`, function () {
        this.timeout(20_000);
        let context: TableContext | undefined;
        const get = () => {
            if (!context) throw new Error('the table has not started');
            return context;
        };

        beforeEach(async () => {
            const bench = await startBench();
            for (let n = 1; n <= 4; n++) {
                bench.emulator.control.userChange({
                    entity: 'deal',
                    action: 'add',
                    fields: { title: `Deal ${n}` },
                });
            }
            await rowsQueued(bench.emulator, 4);
            context = { bench, processId: '', messageIds: [] };
            if (node.reservation) {
                const reserved = await bench.rest<{ process_id: string; events: { MESSAGE_ID: string }[] }>(
                    'event.offline.get',
                    { clear: 0, limit: 2 },
                );
                assert.ok(reserved.result?.process_id, 'a reservation to point bad input at');
                context.processId = reserved.result.process_id;
                context.messageIds = reserved.result.events.map((e) => e.MESSAGE_ID);
            }
        });

        afterEach(async () => {
            await helper.unload();
            await context?.bench.stop();
            context = undefined;
        });

        // Rows are built from the context, which exists only once `beforeEach` has run: a row list
        // made from a placeholder names the tests; each test then reads its row again.
        const titles = rows(placeholder()).map((row) => row.what);
        titles.forEach((what, index) => {
            it(`refuses ${what}`, async () => {
                const row = rows(get())[index];
                await expectRefusal(node, row, get().bench);
            });
        });

        more?.(get);
    });
}

/** Loads the node with its row's changes, a Catch node and a helper on its output. */
export async function loadRow(node: NodeUnderTest, row: Partial<BadInputRow>, bench: Bench) {
    const portal = bench.portal(row.portal?.node);
    const outputs = Array.from({ length: node.outputs ?? 1 }, (_, i) => (i === 0 ? ['out'] : []));
    await helper.load(
        [portalModule, node.module],
        [
            { id: 'tab', type: 'tab' },
            portal.node,
            {
                id: 'n1',
                z: 'tab',
                type: node.type,
                portal: 'portal',
                ...node.config,
                ...row.config,
                wires: outputs,
            },
            { id: 'out', z: 'tab', type: 'helper' },
            { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
            { id: 'errors', z: 'tab', type: 'helper' },
        ],
        { portal: row.portal?.credentials ?? portal.credentials },
    );
    return { out: collect('out'), errors: collect('errors') };
}

/** What a refused input may not have changed in the portal. */
function portalState(methods: string[], bench: Bench) {
    const counters = bench.emulator.control.counters();
    return {
        calls: Object.fromEntries(methods.map((m) => [m, counters.requestsByMethod[m] ?? 0])),
        tokensIssued: counters.tokensIssued,
        rows: bench.emulator.control.queueRows(),
        bindings: bench.emulator.control.bindings(),
    };
}

async function expectRefusal(node: NodeUnderTest, row: BadInputRow, bench: Bench): Promise<void> {
    const methods = [...node.methods, ...(row.methods ?? [])];
    const before = portalState(methods, bench);
    const { out, errors } = await loadRow(node, row, bench);
    const subject = helper.getNode('n1');
    // The helper's spies sit on Node.prototype: keep the calls made by this node.
    const reported = () =>
        spies(subject)
            .error.getCalls()
            .filter((call) => call.thisValue === subject);
    if (row.msg) subject.receive(structuredClone(row.msg));
    // An input's error reaches the Catch node; a deploy-time one may be only logged.
    await until(() => (row.msg ? errors.length > 0 : reported().length > 0), 10_000, 'the error');
    const error = reported()[0].args[0] as Error | string;
    const message = typeof error === 'string' ? error : error.message;
    assert.match(message, row.error);
    if (row.code) assert.equal((error as { code?: string }).code, row.code);
    if (row.msg) {
        assert.equal(errors.length, 1, 'one error, with the msg, so that a Catch node sees it');
        assert.match((errors[0].error as { message: string }).message, row.error);
    }
    assert.equal(out.length, 0, 'nothing sent on');
    assert.deepEqual(
        portalState(methods, bench),
        before,
        "no call of the node's methods, no row or binding changed",
    );
}

/** Enough of a context to build the rows' titles (their values are never used). */
function placeholder(): TableContext {
    return {
        bench: {
            emulator: {
                portalUrl: 'http://portal.invalid',
                oauthServer: 'http://oauth.invalid',
                webhookUrl: 'http://portal.invalid/rest/1/placeholder/',
                app: {
                    clientId: '',
                    clientSecret: '',
                    accessToken: '',
                    refreshToken: '',
                    applicationToken: '',
                    memberId: '',
                },
            },
        } as unknown as Bench,
        processId: 'p'.repeat(32),
        messageIds: ['a'.repeat(32), 'b'.repeat(32)],
    };
}
