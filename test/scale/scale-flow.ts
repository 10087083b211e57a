import { emulatorPortalNode } from '../../dist/demo/portal-node';
import type { Emulator } from '../../dist/emulator';
import { CONFIRM_DEFAULTS, CONTRACT } from '../editor/editor-files';

export type FlowNode = Record<string, unknown> & { id: string; type: string };

export const TAB = 'scale';

export interface ScaleFlowOptions {
    emulator: Emulator;
    /** The sink's delivery URL. */
    sinkUrl: string;
    /** With a store: its lease; without: every instance works alone (the control run). */
    store?: { leaseSeconds: number };
    /** The portal's rate limit; default the standard plan's. */
    rate?: { burst: number; rps: number };
}

/**
 * What each instance runs, the same flow file everywhere as in a real deployment:
 *
 *   inject (every 1 s) ─> get (reserve, drain, batch) ─> function (instance, MESSAGE_IDs)
 *       ─> http request (POST sink) ─> clear
 *
 * The portal has the emulator's standard limits and, for the store run, a `bitrix24-store`
 * whose URL and instance name come from the environment (REDIS_URL, B24_INSTANCE).
 */
export function scaleFlow(options: ScaleFlowOptions): FlowNode[] {
    const at = (x: number) => ({ z: TAB, x, y: 80 });
    const nodes: FlowNode[] = [
        { id: TAB, type: 'tab', label: 'scale', disabled: false, info: '' },
        emulatorPortalNode(options.emulator, {
            name: 'emulated portal',
            ...(options.rate ? { rateLimit: 'custom', ...options.rate } : { rateLimit: 'standard' }),
            store: options.store ? 'store' : '',
        }),
        {
            id: 'poll',
            type: 'inject',
            ...at(120),
            name: 'every 1 s',
            props: [],
            repeat: '1',
            crontab: '',
            once: true,
            onceDelay: '0.5',
            topic: '',
            wires: [['get']],
        },
        {
            id: 'get',
            type: 'bitrix24-offline-get',
            ...at(320),
            ...CONTRACT['bitrix24-offline-get'],
            portal: 'portal',
            output: 'batch',
            limit: 50,
            redeliverAfter: 60,
            wires: [['label'], []],
        },
        {
            id: 'label',
            type: 'function',
            ...at(520),
            name: 'instance + ids',
            func: [
                "msg.payload = { instance: env.get('B24_INSTANCE'), redelivery: msg.redelivery || 0,",
                '    ids: msg.payload.map((event) => event.MESSAGE_ID) };',
                "msg.headers = { 'content-type': 'application/json' };",
                'return msg;',
            ].join('\n'),
            outputs: 1,
            timeout: 0,
            noerr: 0,
            initialize: '',
            finalize: '',
            libs: [],
            wires: [['deliver']],
        },
        {
            id: 'deliver',
            type: 'http request',
            ...at(720),
            name: 'POST sink',
            method: 'POST',
            ret: 'txt',
            paytoqs: 'ignore',
            url: options.sinkUrl,
            tls: '',
            persist: false,
            proxy: '',
            insecureHTTPParser: false,
            authType: '',
            senderr: false,
            headers: [],
            wires: [['clear']],
        },
        {
            id: 'clear',
            type: 'bitrix24-offline-clear',
            ...at(920),
            ...CONFIRM_DEFAULTS,
            portal: 'portal',
            wires: [[]],
        },
    ];
    if (options.store) {
        nodes.push({
            id: 'store',
            type: 'bitrix24-store',
            ...CONTRACT['bitrix24-store'],
            name: 'shared store',
            leaseSeconds: options.store.leaseSeconds,
            instance: 'B24_INSTANCE',
            instanceType: 'env',
        });
    }
    return nodes;
}
