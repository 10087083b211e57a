import { bindOffline } from '../../dist/demo/demo-emulator';
import type { NodeRedProcess } from '../../dist/demo/node-red-process';
import type { Emulator } from '../../dist/emulator';
import { addDeals, startTimedEmulator, until } from '../helpers/emulator-flow';
import { injectNode } from '../helpers/node-flow';
import { startRuntime } from '../helpers/node-red-runtime';
import { NodeRedComms } from '../helpers/node-red-comms';

/**
 * The editor's Deploy button against the nodes that act on close (docs/node-red.md §2.5): the
 * trigger's unbind, the get node's ledger, clear's coalescing window, the bind node. Each case
 * runs in a real Node-RED process, deploys a flow, sets the state up, then deploys the change
 * with the given type (`Node-RED-Deployment-Type`), with the portal node kept, changed or
 * removed in the same deploy.
 */

type DeployType = 'full' | 'nodes' | 'flows';
type PortalChange = 'kept' | 'changed' | 'removed';
type Flow = Record<string, unknown>[];

interface Scenario {
    /** What the closing node does, as the end of a test title. */
    outcome: string;
    /** The node whose close does the work, e.g. 'the clear node'. */
    node: string;
    /** What the deploy does to it when the portal node stays: 'changes' or 'deletes'. */
    change: 'changes' | 'deletes';
    /** The flow before the deploy (portal node excluded). */
    before(ids: Ids): Flow;
    /** The flow the deploy sends (portal node excluded). */
    after(ids: Ids): Flow;
    /** Waits until the state the closing node must act on is there. */
    prepare(context: Context): Promise<void>;
    /** Waits until the closing work shows on the portal. */
    verify(context: Context): Promise<void>;
    /** The portal changes this scenario is run with. */
    portal: PortalChange[];
    /** The work shows once deleted nodes are deployed again (the get node's ledger). */
    showsWhenBack?: boolean;
}

interface Ids {
    portal: string;
    tab: string;
    node(name: string): string;
}

interface Context {
    emulator: Emulator;
    runtime: NodeRedProcess;
    comms: NodeRedComms;
    ids: Ids;
}

const DEPLOY_TYPES: DeployType[] = ['full', 'nodes', 'flows'];
/** The handler the doorbell is bound to; the portal accepts any host with a dot (docs/bitrix24.md §15). */
const PUBLIC_URL = 'http://nr.example.com';
const WAIT_MS = 8000;

const bindings = (emulator: Emulator) =>
    emulator.control.bindings(emulator.app.clientId).map((binding) => binding.event);
const rows = (emulator: Emulator) => emulator.control.queueRows({ clientId: emulator.app.clientId });

function offlineGet(ids: Ids, extra: Record<string, unknown>, next: string): Record<string, unknown> {
    return {
        id: ids.node('get'),
        z: ids.tab,
        type: 'bitrix24-offline-get',
        portal: ids.portal,
        mode: 'reserve',
        limit: 50,
        drain: false,
        redeliverAfter: 0,
        wires: [[next], []],
        ...extra,
    };
}

/** A switch node that passes the msgs with `rule` (core `switch` rule shape), to `next` and `seen`. */
function gate(
    ids: Ids,
    property: string,
    rule: Record<string, unknown>,
    next: string,
): Record<string, unknown> {
    return {
        id: ids.node('gate'),
        z: ids.tab,
        type: 'switch',
        property,
        propertyType: 'msg',
        rules: [rule],
        checkall: 'true',
        repair: false,
        outputs: 1,
        wires: [[next, ids.node('seen')]],
    };
}

/** A core debug node that shows on its badge that a msg went by (seen over the editor's socket). */
function seen(ids: Ids): Record<string, unknown> {
    return {
        id: ids.node('seen'),
        z: ids.tab,
        type: 'debug',
        active: true,
        tosidebar: false,
        console: false,
        tostatus: true,
        complete: 'payload',
        targetType: 'msg',
        statusVal: 'payload',
        statusType: 'auto',
        wires: [],
    };
}

function clear(ids: Ids, extra: Record<string, unknown>): Record<string, unknown> {
    return {
        id: ids.node('clear'),
        z: ids.tab,
        type: 'bitrix24-offline-clear',
        portal: ids.portal,
        wires: [[]],
        ...extra,
    };
}

const triggerNode = (ids: Ids): Record<string, unknown> => ({
    id: ids.node('trigger'),
    z: ids.tab,
    type: 'bitrix24-onoffline-trigger',
    portal: ids.portal,
    path: `/bitrix24/onoffline/${ids.node('trigger')}`,
    publicUrl: PUBLIC_URL,
    autoBind: true,
    pollInterval: 0,
    wires: [[]],
});

const bindNode = (ids: Ids, eventName: string): Record<string, unknown> => ({
    id: ids.node('bind'),
    z: ids.tab,
    type: 'bitrix24-bind',
    portal: ids.portal,
    action: 'bind',
    eventName,
    eventNameType: 'str',
    eventType: 'offline',
    onDeploy: true,
    wires: [[]],
});

/** Three rows reserved by the get node, whose one msg per event waits in clear's window. */
async function reserveThree({ emulator, runtime, ids }: Context): Promise<void> {
    await addDeals(emulator, 3);
    await runtime.inject(ids.node('inject'));
    await until(() => rows(emulator).filter((row) => row.PROCESS_ID).length === 3, WAIT_MS, 'a reservation');
}

const SCENARIOS: Scenario[] = [
    {
        outcome: 'unbinds ONOFFLINEEVENT',
        node: 'the trigger node',
        change: 'deletes',
        before: (ids) => [triggerNode(ids)],
        after: () => [],
        prepare: ({ emulator }) =>
            until(() => bindings(emulator).includes('ONOFFLINEEVENT'), WAIT_MS, 'the doorbell binding'),
        verify: ({ emulator }) =>
            until(
                () => !bindings(emulator).includes('ONOFFLINEEVENT'),
                WAIT_MS,
                'the doorbell to be unbound',
            ),
        portal: ['kept', 'changed', 'removed'],
    },
    {
        outcome: "clears the rows waiting in clear's coalescing window",
        node: 'the clear node',
        change: 'changes',
        // Only the first event of the reservation reaches clear, so its group waits for the window.
        before: (ids) => [
            injectNode(ids.node('inject'), ids.tab, ids.node('get')),
            offlineGet(ids, { output: 'event' }, ids.node('gate')),
            gate(ids, 'parts.index', { t: 'eq', v: '0', vt: 'num' }, ids.node('clear')),
            clear(ids, { coalesce: true, coalesceMs: 60_000 }),
            seen(ids),
        ],
        after: (ids) => [
            injectNode(ids.node('inject'), ids.tab, ids.node('get')),
            offlineGet(ids, { output: 'event' }, ids.node('gate')),
            gate(ids, 'parts.index', { t: 'eq', v: '0', vt: 'num' }, ids.node('clear')),
            clear(ids, { coalesce: true, coalesceMs: 60_000, name: 'changed' }),
            seen(ids),
        ],
        prepare: async (context) => {
            await reserveThree(context);
            const { comms, ids } = context;
            await until(() => comms.statuses.has(ids.node('seen')), WAIT_MS, "the first event's msg");
            // It reached clear together with the debug node; clear adds it to its window at once.
            await new Promise((resolve) => setTimeout(resolve, 100));
        },
        verify: ({ emulator }) => until(() => rows(emulator).length === 2, WAIT_MS, 'one row cleared'),
        portal: ['kept', 'changed', 'removed'],
    },
    {
        outcome: 'delivers an open reservation again from the ledger',
        node: 'the get node',
        change: 'changes',
        // Only redelivered msgs reach clear: the first delivery stays open in the ledger.
        before: (ids) => [
            injectNode(ids.node('inject'), ids.tab, ids.node('get')),
            offlineGet(ids, { output: 'batch' }, ids.node('gate')),
            gate(ids, 'redelivery', { t: 'nnull' }, ids.node('clear')),
            clear(ids, { coalesce: false }),
            seen(ids),
        ],
        after: (ids) => [
            injectNode(ids.node('inject'), ids.tab, ids.node('get')),
            offlineGet(ids, { output: 'batch', name: 'changed' }, ids.node('gate')),
            gate(ids, 'redelivery', { t: 'nnull' }, ids.node('clear')),
            clear(ids, { coalesce: false }),
            seen(ids),
        ],
        prepare: reserveThree,
        verify: ({ emulator }) => until(() => rows(emulator).length === 0, WAIT_MS, 'every row cleared'),
        portal: ['kept', 'changed', 'removed'],
        showsWhenBack: true,
    },
    {
        outcome: 'binds the event the bind node now names',
        node: 'the bind node',
        change: 'changes',
        before: (ids) => [bindNode(ids, 'ONCRMDEALUPDATE')],
        after: (ids) => [bindNode(ids, 'ONCRMDEALDELETE')],
        prepare: ({ emulator }) =>
            until(() => bindings(emulator).includes('ONCRMDEALUPDATE'), WAIT_MS, 'ONCRMDEALUPDATE bound'),
        verify: ({ emulator }) =>
            until(() => bindings(emulator).includes('ONCRMDEALDELETE'), WAIT_MS, 'ONCRMDEALDELETE bound'),
        portal: ['kept', 'changed'],
    },
];

describe('deploy: nodes that act on close finish their work whatever the deployment type', function () {
    this.timeout(60_000);
    let runtime: NodeRedProcess;
    let stopRuntime: (() => Promise<void>) | undefined;
    let emulator: Emulator;
    let comms: NodeRedComms;
    let caseNumber = 0;

    before(async () => {
        ({ runtime, stop: stopRuntime } = await startRuntime());
        comms = await NodeRedComms.connect(runtime.url);
    });

    after(async () => {
        await comms?.close();
        await stopRuntime?.();
    });

    beforeEach(async () => {
        emulator = await startTimedEmulator();
        await bindOffline(emulator, 'ONCRMDEALADD');
    });

    afterEach(async () => {
        // The case's nodes close against its emulator, which is still up.
        try {
            await runtime.deploy([], { started: true });
        } finally {
            await emulator.stop();
        }
    });

    function portalNode(ids: Ids, change: PortalChange | 'first'): Record<string, unknown> {
        const node = {
            id: ids.portal,
            type: 'bitrix24-portal',
            portalUrl: emulator.portalUrl,
            authType: 'oauth',
            oauthServer: emulator.oauthServer,
            rateLimit: 'custom',
            burst: 100,
            rps: 100,
            name: change === 'changed' ? 'changed' : '',
        };
        if (change !== 'first') return node;
        const { app } = emulator;
        return {
            ...node,
            credentials: {
                clientId: app.clientId,
                clientSecret: app.clientSecret,
                accessToken: app.accessToken,
                refreshToken: app.refreshToken,
                applicationToken: app.applicationToken,
            },
        };
    }

    for (const scenario of SCENARIOS) {
        for (const portal of scenario.portal) {
            for (const type of DEPLOY_TYPES) {
                const what =
                    portal === 'removed'
                        ? `deletes ${scenario.node} and the portal node${scenario.showsWhenBack ? ', both deployed again later' : ''}`
                        : `${scenario.change} ${scenario.node} and ${portal === 'kept' ? 'keeps' : 'changes'} the portal node`;
                it(`${scenario.outcome} on a ${type} deploy that ${what}`, async () => {
                    caseNumber++;
                    const prefix = `c${caseNumber}`;
                    const ids: Ids = {
                        portal: `${prefix}-portal`,
                        tab: `${prefix}-tab`,
                        node: (name) => `${prefix}-${name}`,
                    };
                    const tab = { id: ids.tab, type: 'tab', label: prefix };
                    await runtime.deploy([tab, portalNode(ids, 'first'), ...scenario.before(ids)], {
                        started: true,
                    });
                    const context = { emulator, runtime, comms, ids };
                    await scenario.prepare(context);

                    const after =
                        portal === 'removed' ? [tab] : [tab, portalNode(ids, portal), ...scenario.after(ids)];
                    await runtime.deploy(after, { type, started: true });
                    if (portal === 'removed' && scenario.showsWhenBack) {
                        await runtime.deploy([tab, portalNode(ids, 'first'), ...scenario.after(ids)], {
                            started: true,
                        });
                    }
                    await scenario.verify(context);
                });
            }
        }
    }
});
