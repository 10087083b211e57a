/**
 * The soak's flow, deployed once through the admin API (restarts load it from the user
 * directory):
 *
 *   bind x3 (onDeploy: ONCRMDEAL{ADD,UPDATE,DELETE} offline)
 *   trigger (ring + poll) ──> get (normal, reserve, event output, drain) ──┐
 *   inject (every 5 s)    ──> get (error queue, reserve, event output)   ──┴─> enrich ─> to sink ─>
 *       http request (POST /deliver) ─> switch statusCode ─ 200 ──> offline-clear
 *                                                         └ else ─> offline-error (+ debug)
 *   catch (deliver, enrich) ─> offline-error (+ debug); to sink's 2nd output (a read error) ─> offline-error
 *   catch (every other node) ─> report ─> http request (POST /catch): error texts reach the sink
 *   inject (every 10 s) ─> call `profile` through a second portal node that uses the emulator's
 *       incoming webhook, so that the webhook secret is in the runtime too
 *   the msgs at the other ends (trigger, the gets' "queue empty", clear, error, call) ─> tap ─>
 *       http request (POST /tap): every msg of the flow reaches the sink and its secret scan
 */
import { emulatorPortalNode, portalNode } from '../../dist/demo/portal-node';
import type { Emulator } from '../../dist/emulator';
import { CONFIRM_DEFAULTS, CONTRACT } from '../editor/editor-files';

export type FlowNode = Record<string, unknown> & { id: string; type: string };

export interface FlowOptions {
    /** The portal; unused with `app`. */
    emulator?: Emulator;
    /** Where the portal reaches this Node-RED (a host with a dot: http://127.0.0.1:<port>). */
    publicUrl: string;
    sinkUrl: string;
    authConnector: string;
    rateLimit: { burst: number; rps: number } | 'standard';
    /** The http request node's timeout for one delivery (msg.requestTimeout). */
    deliveryTimeoutMs: number;
    /**
     * An application installed on many portals instead of `emulator`'s one (design "Many
     * portals"): the portal node is the application, every msg carries msg.portal, and there is no
     * webhook portal (a webhook belongs to one portal).
     */
    app?: { oauthServer: string; clientId: string; clientSecret: string };
    /** --instances: the portal shares a `bitrix24-store` (REDIS_URL, B24_INSTANCE from the environment). */
    store?: { leaseSeconds: number };
}

export const TAB = 'soak';
export const RING_PATH = '/bitrix24/onoffline';
export const DELIVER_PATH = '/deliver';
export const CATCH_PATH = '/catch';
export const TAP_PATH = '/tap';
export const BOUND_EVENTS = ['ONCRMDEALADD', 'ONCRMDEALUPDATE', 'ONCRMDEALDELETE'];

/** Every node whose errors the catch-all reports (the reporting path itself is left out). */
const PIPELINE = [
    'bindAdd',
    'bindUpdate',
    'bindDelete',
    'trigger',
    'get',
    'retryTimer',
    'getErrors',
    'enrich',
    'toSink',
    'deliver',
    'checkStatus',
    'clear',
    'markError',
    'catchFailures',
    'debugFailures',
    'webhookTimer',
    'webhookCall',
];

export function soakFlow(options: FlowOptions): FlowNode[] {
    let y = 40;
    const at = (x: number, row?: number) => ({ z: TAB, x, y: row ?? (y += 60) });
    const getNode = (id: string, queue: 'normal' | 'error', redeliverAfter: number, row: number) => ({
        id,
        type: 'bitrix24-offline-get',
        ...at(420, row),
        ...CONTRACT['bitrix24-offline-get'],
        name: queue === 'error' ? 'error queue' : 'queue',
        portal: 'portal',
        queue,
        output: 'event',
        redeliverAfter,
        wires: [['enrich'], ['tap']],
    });
    const bind = (id: string, eventName: string) => ({
        id,
        type: 'bitrix24-bind',
        ...at(160),
        name: '',
        portal: 'portal',
        action: 'bind',
        eventName,
        eventNameType: 'str',
        eventType: 'offline',
        handler: '',
        authConnector: '',
        options: '{}',
        onDeploy: true,
        wires: [[]],
    });
    const confirm = (id: string, type: string, row: number) => ({
        id,
        type,
        ...at(1400, row),
        ...CONFIRM_DEFAULTS,
        portal: 'portal',
        wires: [['tap']],
    });
    /** A function node that sends a copy of the msg as the JSON body of the http request node `to`. */
    const toSink = (id: string, x: number, y: number, name: string, to: string) => ({
        id,
        type: 'function',
        ...at(x, y),
        name,
        func: [
            'msg.payload = RED.util.cloneMessage(msg);',
            "msg.headers = { 'content-type': 'application/json' };",
            'return msg;',
        ].join('\n'),
        outputs: 1,
        timeout: 0,
        noerr: 0,
        initialize: '',
        finalize: '',
        libs: [],
        wires: [[to]],
    });
    const post = (id: string, path: string, row: number, wires: string[][]) => ({
        id,
        type: 'http request',
        ...at(1000, row),
        name: `POST ${path}`,
        method: 'POST',
        ret: 'txt',
        paytoqs: 'ignore',
        url: `${options.sinkUrl}${path}`,
        tls: '',
        persist: false,
        proxy: '',
        insecureHTTPParser: false,
        authType: '',
        senderr: false,
        headers: [],
        wires,
    });
    const rate =
        options.rateLimit === 'standard'
            ? { rateLimit: 'standard' }
            : { rateLimit: 'custom', burst: options.rateLimit.burst, rps: options.rateLimit.rps };
    return [
        { id: TAB, type: 'tab', label: 'soak', disabled: false, info: '' },
        ...portalNodes(options, rate, at),
        bind('bindAdd', BOUND_EVENTS[0]),
        bind('bindUpdate', BOUND_EVENTS[1]),
        bind('bindDelete', BOUND_EVENTS[2]),
        {
            id: 'trigger',
            type: 'bitrix24-onoffline-trigger',
            ...at(160, 300),
            name: '',
            portal: 'portal',
            path: RING_PATH,
            publicUrl: options.publicUrl,
            autoBind: true,
            minTimeout: 1,
            pollInterval: 5,
            wires: [['get', 'tap']],
        },
        getNode('get', 'normal', 30, 300),
        {
            id: 'retryTimer',
            type: 'inject',
            ...at(160, 380),
            name: 'every 5 s',
            props: [],
            repeat: '5',
            crontab: '',
            once: true,
            onceDelay: '1',
            topic: '',
            wires: [['getErrors']],
        },
        getNode('getErrors', 'error', 15, 380),
        {
            id: 'enrich',
            type: 'bitrix24-enrich',
            ...at(620, 340),
            name: '',
            portal: 'portal',
            select: '',
            onMissing: 'tombstone',
            wires: [['toSink']],
        },
        {
            id: 'toSink',
            type: 'function',
            ...at(800, 340),
            name: 'the whole msg to the sink',
            func: [
                '// A read that failed for good goes to the error queue.',
                'if (msg.payload && msg.payload.error) return [null, msg];',
                '// The sink gets every property of the msg, so that the secret scan sees them all.',
                'msg.payload = RED.util.cloneMessage(msg);',
                `msg.requestTimeout = ${options.deliveryTimeoutMs};`,
                "msg.headers = { 'content-type': 'application/json' };",
                'return [msg, null];',
            ].join('\n'),
            outputs: 2,
            timeout: 0,
            noerr: 0,
            initialize: '',
            finalize: '',
            libs: [],
            wires: [['deliver'], ['markError']],
        },
        post('deliver', DELIVER_PATH, 340, [['checkStatus']]),
        {
            id: 'checkStatus',
            type: 'switch',
            ...at(1200, 340),
            name: 'accepted?',
            property: 'statusCode',
            propertyType: 'msg',
            rules: [{ t: 'eq', v: '200', vt: 'num' }, { t: 'else' }],
            checkall: 'false',
            repair: false,
            outputs: 2,
            wires: [['clear'], ['markError', 'debugFailures']],
        },
        confirm('clear', 'bitrix24-offline-clear', 300),
        confirm('markError', 'bitrix24-offline-error', 420),
        {
            id: 'catchFailures',
            type: 'catch',
            ...at(1000, 480),
            name: 'delivery or read failed',
            scope: ['deliver', 'enrich'],
            uncaught: false,
            wires: [['markError', 'debugFailures']],
        },
        {
            id: 'debugFailures',
            type: 'debug',
            ...at(1400, 480),
            name: 'failures',
            active: true,
            tosidebar: true,
            console: false,
            tostatus: true,
            complete: 'true',
            targetType: 'full',
            statusVal: 'payload',
            statusType: 'auto',
            wires: [],
        },
        {
            id: 'catchAll',
            type: 'catch',
            ...at(160, 560),
            name: 'every error',
            // The webhook nodes exist with one portal only.
            scope: options.app ? PIPELINE.filter((id) => !id.startsWith('webhook')) : PIPELINE,
            uncaught: false,
            wires: [['report']],
        },
        toSink('report', 420, 560, 'the error msg to the sink', 'reportPost'),
        post('reportPost', CATCH_PATH, 560, [[]]),
        toSink('tap', 1600, 560, 'the msg to the sink', 'tapPost'),
        post('tapPost', TAP_PATH, 620, [[]]),
    ];
}

/** The portal node(s): one portal over OAuth and its webhook twin, or the application on many portals. */
function portalNodes(
    options: FlowOptions,
    rate: Record<string, unknown>,
    at: (x: number, row?: number) => Record<string, unknown>,
): FlowNode[] {
    const { emulator, app } = options;
    if (app) {
        return [
            {
                ...CONTRACT['bitrix24-portal'],
                id: 'portal',
                type: 'bitrix24-portal',
                name: 'emulated application',
                authConnector: options.authConnector,
                ...rate,
                oauthServer: app.oauthServer,
                multiPortal: true,
                publicUrl: options.publicUrl,
                credentials: { clientId: app.clientId, clientSecret: app.clientSecret },
            },
        ];
    }
    if (!emulator) throw new Error('soakFlow needs an emulator or an app');
    return [
        emulatorPortalNode(emulator, {
            name: 'emulated portal',
            authConnector: options.authConnector,
            ...rate,
            store: options.store ? 'store' : '',
        }),
        ...(options.store
            ? [
                  {
                      id: 'store',
                      type: 'bitrix24-store',
                      ...CONTRACT['bitrix24-store'],
                      name: 'shared store',
                      instance: 'B24_INSTANCE',
                      instanceType: 'env',
                      leaseSeconds: options.store.leaseSeconds,
                  },
              ]
            : []),
        portalNode(emulator, {
            id: 'webhookPortal',
            name: 'emulated portal (webhook)',
            authType: 'webhook',
            authConnector: '',
            oauthServer: '',
            ...rate,
            credentials: { webhookUrl: emulator.webhookUrl },
        }),
        {
            id: 'webhookTimer',
            type: 'inject',
            ...at(160, 640),
            name: 'every 10 s',
            props: [],
            repeat: '10',
            crontab: '',
            once: true,
            onceDelay: '2',
            topic: '',
            wires: [['webhookCall']],
        },
        {
            id: 'webhookCall',
            type: 'bitrix24-call',
            ...at(420, 640),
            name: 'who am I (webhook)',
            portal: 'webhookPortal',
            method: 'profile',
            methodType: 'str',
            params: '{}',
            paramsType: 'json',
            authConnector: 'never',
            wires: [['tap']],
        },
    ];
}
