import type { NodeAPI, NodeDef, NodeStatus } from 'node-red';

import { FileDocumentStore, MemoryDocumentStore } from '../bitrix24/internal';
import { MultiPortalApp, type AppSettings } from '../runtime/app/multi-portal-app';
import { PortalConnection, type PortalState } from '../runtime/portal/portal-connection';
import type { PortalCredentials, PortalSettings } from '../runtime/portal/portal-settings';
import { DeliveryWatch } from '../runtime/trigger/delivery-watch';
import { registerAppRoutes } from './app-routes';
import { registerPortalRoutes } from './portal-routes';
import { registerStatusRoutes } from './status-routes';
import { appUrls } from './shared/app-urls';
import { sharedStatus, sharedText, userError } from './shared/i18n';
import { credentialSecret } from './shared/runtime-settings';
import { userDirFile } from './shared/user-dir';
import type { PortalNode } from './shared/portal-node';
import { booleanProperty, choiceProperty, numberProperty, textProperty } from './shared/properties';
import { coordinationOf } from './shared/store-node';
import type { StoreCoordination } from '../runtime/store/store-coordination';

interface PortalConfig extends NodeDef {
    portalUrl?: string;
    authType?: string;
    authConnector?: string;
    rateLimit?: string;
    burst?: number | string;
    rps?: number | string;
    oauthServer?: string;
    multiPortal?: boolean | string;
    publicUrl?: string;
    maxPortals?: number | string;
    concurrency?: number | string;
    store?: string;
}

/** The badge of each state; its text is `status.portal.<state>` of the shared catalog. */
const STATE_BADGE: Record<PortalState, Pick<NodeStatus, 'fill' | 'shape'>> = {
    starting: { fill: 'grey', shape: 'ring' },
    ready: { fill: 'green', shape: 'dot' },
    unauthorized: { fill: 'yellow', shape: 'ring' },
    failed: { fill: 'red', shape: 'ring' },
};

export = function (RED: NodeAPI): void {
    function Bitrix24PortalNode(this: PortalNode, config: PortalConfig) {
        RED.nodes.createNode(this, config);
        const settings = readSettings(config, this.credentials ?? {});
        this.users = {};
        // Looked up when asked, not now: config nodes are created in the order of the flow file.
        this.sharedStore = () => coordinationOf(RED, config.store);
        this.deliveries = new DeliveryWatch();
        this.register = (user) => {
            this.users[user.id] = user;
        };
        this.deregister = (user) => {
            delete this.users[user.id];
        };
        if (booleanProperty(config.multiPortal, false)) {
            startApplication(RED, this, config, settings);
            return;
        }
        this.connection = new PortalConnection(settings, {
            tokenFile: userDirFile(RED, `tokens-${this.id}.json`),
            credentialSecret: credentialSecret(RED),
            log: (level, message) => (level === 'debug' ? this.debug(message) : this.warn(message)),
            // Node-RED creates a config node's referenced config nodes first: the store exists now.
            shared: coordinationOf(RED, config.store)?.store,
        });
        this.connection.on('state', (state) => {
            const badge = STATE_BADGE[state];
            this.status({ ...badge, text: sharedStatus(RED, `portal.${state}`) });
            // Reported here, once; the flow nodes show it on their badges without logging it again.
            if (state === 'failed') {
                this.connection.client().catch((err: unknown) => this.error(userError(RED, err).message));
            }
        });
        // Once per move (and once at a start that goes to the remembered address).
        this.connection.on('portalMoved', (url) => {
            this.warn(sharedText(RED, 'log.portalMoved', { from: settings.portalUrl, to: url }));
        });
        this.on('close', (_removed: boolean, done: () => void) => {
            this.connection.close().then(done, done);
        });
    }

    RED.nodes.registerType<PortalNode, PortalConfig, unknown, PortalCredentials>(
        'bitrix24-portal',
        Bitrix24PortalNode,
        {
            credentials: {
                clientId: { type: 'text' },
                webhookUrl: { type: 'password' },
                clientSecret: { type: 'password' },
                accessToken: { type: 'password' },
                refreshToken: { type: 'password' },
                applicationToken: { type: 'password' },
            },
        },
    );
    registerPortalRoutes(RED);
    registerStatusRoutes(RED);
    registerAppRoutes(RED);
};

/**
 * `multiPortal`: the node is an application installed on many portals (design "Many portals").
 * Its own connection is unused; each installation has one, reached through `node.app`.
 */
function startApplication(
    RED: NodeAPI,
    node: PortalNode,
    config: PortalConfig,
    portal: PortalSettings,
): void {
    const publicUrl = textProperty(config.publicUrl).trim();
    const settings: AppSettings = {
        ...portal,
        clientId: portal.credentials.clientId ?? '',
        clientSecret: portal.credentials.clientSecret ?? '',
        publicUrl,
        maxPortals: Math.max(0, Math.floor(numberProperty(config.maxPortals, 1000))),
        concurrency: Math.max(1, Math.floor(numberProperty(config.concurrency, 8))),
        eventUrl: appUrls(RED, publicUrl, node.id).eventUrl,
    };
    const directory = userDirFile(RED, '');
    // With a store every instance knows every installation (design "Several Node-RED instances").
    const shared = coordinationOf(RED, config.store);
    const listChanged = `app:${node.id}:installations`;
    const app = new MultiPortalApp(settings, {
        store:
            shared?.documents ?? (directory ? new FileDocumentStore(directory) : new MemoryDocumentStore()),
        shared: shared?.store,
        changed: shared && (() => void shared.wake(listChanged).catch(() => undefined)),
        credentialSecret: credentialSecret(RED),
        log: (level, message) => {
            if (level === 'debug') node.debug(message);
            else if (level === 'info') node.log(message);
            else node.warn(message);
        },
    });
    node.app = app;
    node.connection = new PortalConnection(portal, {
        unused: new Error(sharedText(RED, 'errors.whichPortal')),
        log: () => undefined,
    });
    const showCount = () => {
        const all = app.installations();
        const blocked = all.filter((one) => one.status === 'blocked').length;
        node.status({
            fill: blocked > 0 ? 'yellow' : 'green',
            shape: 'dot',
            text: sharedStatus(RED, 'portal.app', { count: all.length, blocked }),
        });
    };
    void app.ready.then(showCount);
    app.on('lifecycle', showCount);
    const stopSharing = shared && shareInstallations(app, shared, listChanged);
    node.on('close', (_removed: boolean, done: () => void) => {
        stopSharing?.();
        Promise.all([app.close(), node.connection.close()]).then(() => done(), done);
    });
}

/**
 * An install or uninstall POST reaches one instance: it tells the others through the store's
 * pub/sub, and each instance also reads the list again once per lease time, which catches a
 * notice lost while Redis was away. Returns what stops both.
 */
function shareInstallations(app: MultiPortalApp, shared: StoreCoordination, channel: string): () => void {
    const reload = () => void app.reload().catch(() => undefined);
    const stopWake = shared.onWake(channel, reload);
    const timer = setInterval(reload, shared.leaseMs);
    timer.unref();
    return () => {
        stopWake();
        clearInterval(timer);
    };
}

function readSettings(config: PortalConfig, credentials: PortalCredentials): PortalSettings {
    return {
        id: config.id,
        portalUrl: textProperty(config.portalUrl),
        authType: choiceProperty(config.authType, ['oauth', 'webhook'], 'oauth'),
        authConnector: textProperty(config.authConnector),
        rateLimit: choiceProperty(config.rateLimit, ['standard', 'enterprise', 'custom'], 'standard'),
        burst: numberProperty(config.burst, 50),
        rps: numberProperty(config.rps, 2),
        // Empty: the token server of the portal's region (docs/bitrix24.md §7). A flow that stored
        // https://oauth.bitrix.info, the editor's old default, keeps it.
        oauthServer: textProperty(config.oauthServer).trim(),
        credentials,
    };
}
