import type { FlowNode } from './demo-flow';

/** The application node's id in the multi-portal flow: its install URL carries it. */
export const APP_NODE_ID = 'app';
const TAB = 'many-portals';

/** What the multi-portal flow talks to: an emulator farm (or real portals) and, optionally, a sink. */
export interface MultiPortalTargets {
    /** The farm's shared token server. */
    oauthServer: string;
    /** The application installed on every portal. */
    app: { clientId: string; clientSecret: string };
    /** This Node-RED as the portals reach it, e.g. http://127.0.0.1:1880. */
    publicUrl: string;
    /** Each delivered batch is reported here as `{memberId, at, ids}`; omit for no report. */
    sinkUrl?: string;
    /** The doorbell's ring window in seconds (docs/bitrix24.md §6); default 1. */
    minTimeout?: number;
    /** First poll of an idle installation, seconds; default 60. */
    pollInterval?: number;
    maxPortals?: number;
    concurrency?: number;
    /** The event each installation binds as an offline event; default ONCRMDEALUPDATE. */
    event?: string;
}

/** `POST <publicUrl>/bitrix24/app/<id>/install`: where a portal sends its installation. */
export function installUrl(publicUrl: string, appNodeId = APP_NODE_ID): string {
    return `${publicUrl.replace(/\/+$/, '')}/bitrix24/app/${appNodeId}/install`;
}

/**
 * Builds the report a delivered batch sends to the sink: its portal, when it arrived, and the
 * ids of the changed objects. Runs in a Node-RED function node (plain JavaScript).
 */
const TIMESTAMP_FUNCTION = `const at = Date.now();
const rows = Array.isArray(msg.payload) ? msg.payload : [msg.payload];
const ids = rows.map((row) => String(((row || {}).EVENT_DATA || {}).FIELDS ? row.EVENT_DATA.FIELDS.ID : ''));
const report = { payload: { memberId: msg.portal ? msg.portal.memberId : '', at, ids } };
return [msg, report];`;

/**
 * One application on many portals (design "Many portals"): every installation binds the deal
 * event offline (a bind node with onDeploy) and the doorbell (the trigger with autoBind); a ring
 * wakes the get node for that portal alone, idle portals are polled with back-off; a function
 * node timestamps each delivered batch, and the clear node confirms it on its own portal.
 */
export function multiPortalFlow(targets: MultiPortalTargets): FlowNode[] {
    const node = (id: string, type: string, x: number, y: number, props: Record<string, unknown>) => ({
        id,
        type,
        z: TAB,
        x,
        y,
        ...props,
    });
    const sink = targets.sinkUrl;
    return [
        { id: TAB, type: 'tab', label: 'One application, many portals', disabled: false, info: '' },
        {
            id: APP_NODE_ID,
            type: 'bitrix24-portal',
            name: 'Emulated application',
            portalUrl: '',
            authType: 'oauth',
            authConnector: '',
            rateLimit: 'standard',
            burst: 50,
            rps: 2,
            oauthServer: targets.oauthServer,
            multiPortal: true,
            publicUrl: targets.publicUrl,
            maxPortals: targets.maxPortals ?? 1000,
            concurrency: targets.concurrency ?? 8,
            credentials: { clientId: targets.app.clientId, clientSecret: targets.app.clientSecret },
        },
        node('list', 'inject', 160, 60, {
            name: 'list the installations',
            props: [{ p: 'payload' }],
            payload: '',
            payloadType: 'date',
            repeat: '',
            once: false,
            wires: [['portals']],
        }),
        node('portals', 'bitrix24-portals', 380, 60, {
            name: '',
            portal: APP_NODE_ID,
            wires: [['installations']],
        }),
        node('installations', 'debug', 580, 60, {
            name: 'lifecycle and installations',
            active: true,
            tosidebar: true,
            console: false,
            tostatus: false,
            complete: 'true',
            targetType: 'full',
            wires: [],
        }),
        node('bind', 'bitrix24-bind', 160, 120, {
            name: '',
            portal: APP_NODE_ID,
            action: 'bind',
            eventName: targets.event ?? 'ONCRMDEALUPDATE',
            eventNameType: 'str',
            eventType: 'offline',
            handler: '',
            authConnector: '',
            options: '{}',
            optionsType: 'json',
            onDeploy: true,
            wires: [[]],
        }),
        node('trigger', 'bitrix24-onoffline-trigger', 160, 200, {
            name: '',
            portal: APP_NODE_ID,
            path: '/bitrix24/onoffline',
            publicUrl: targets.publicUrl,
            autoBind: true,
            minTimeout: targets.minTimeout ?? 1,
            pollInterval: targets.pollInterval ?? 60,
            wires: [['get']],
        }),
        node('get', 'bitrix24-offline-get', 380, 200, {
            name: '',
            portal: APP_NODE_ID,
            mode: 'reserve',
            queue: 'normal',
            limit: 50,
            filter: '{}',
            filterType: 'json',
            order: '{"TIMESTAMP_X":"ASC"}',
            orderType: 'json',
            authConnector: '',
            output: 'batch',
            drain: true,
            maxOpen: 4,
            redeliverAfter: 300,
            wires: [['timestamp'], []],
        }),
        node('timestamp', 'function', 580, 200, {
            name: 'timestamp the delivery',
            func: TIMESTAMP_FUNCTION,
            outputs: 2,
            timeout: 0,
            noerr: 0,
            initialize: '',
            finalize: '',
            libs: [],
            wires: [['clear'], sink ? ['report'] : []],
        }),
        node('clear', 'bitrix24-offline-clear', 800, 180, {
            name: '',
            portal: APP_NODE_ID,
            processId: 'process_id',
            processIdType: 'msg',
            messageIds: 'message_id',
            messageIdsType: 'msg',
            authConnector: '',
            coalesce: true,
            coalesceMs: 1000,
            wires: [[]],
        }),
        ...(sink
            ? [
                  node('report', 'http request', 800, 240, {
                      name: 'report the delivery',
                      method: 'POST',
                      ret: 'txt',
                      paytoqs: 'ignore',
                      url: sink,
                      tls: '',
                      persist: true,
                      proxy: '',
                      insecureHTTPParser: false,
                      authType: '',
                      senderr: false,
                      headers: [],
                      wires: [[]],
                  }),
              ]
            : []),
    ];
}
