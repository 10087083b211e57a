import type { NodeAPI, NodeDef, NodeStatus } from 'node-red';

import { PortalConnection, type PortalState } from '../runtime/portal/portal-connection';
import type { PortalCredentials, PortalSettings } from '../runtime/portal/portal-settings';
import { DeliveryWatch } from '../runtime/trigger/delivery-watch';
import { registerPortalRoutes } from './portal-routes';
import { sharedStatus, sharedText, userError } from './shared/i18n';
import { credentialSecret } from './shared/runtime-settings';
import { userDirFile } from './shared/user-dir';
import type { PortalNode } from './shared/portal-node';
import { choiceProperty, numberProperty, textProperty } from './shared/properties';
import { coordinationOf } from './shared/store-node';

interface PortalConfig extends NodeDef {
    portalUrl?: string;
    authType?: string;
    authConnector?: string;
    rateLimit?: string;
    burst?: number | string;
    rps?: number | string;
    oauthServer?: string;
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
};

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
