import os from 'node:os';

import type { Request, Response } from 'express';
import type { Node, NodeAPI, NodeDef } from 'node-red';

import { StoreCoordination } from '../runtime/store/store-coordination';
import { checkStoreSettings, type StoreSettings } from '../runtime/store/store-settings';
import { userError } from './shared/i18n';
import { credentialSecret } from './shared/runtime-settings';
import { STORE_TYPE as TYPE, type StoreCredentials, type StoreNode } from './shared/store-node';
import { numberProperty, textProperty, typedProperty, type TypedProperty } from './shared/properties';

interface StoreConfig extends NodeDef {
    url?: string;
    urlType?: string;
    prefix?: string;
    instance?: string;
    instanceType?: string;
    leaseSeconds?: number | string;
}

export = function (RED: NodeAPI): void {
    function Bitrix24StoreNode(this: StoreNode, config: StoreConfig) {
        RED.nodes.createNode(this, config);
        this.coordination = undefined;
        let settings: StoreSettings;
        try {
            settings = checkStoreSettings({
                url: typedValue(
                    RED,
                    this,
                    typedProperty(config.url, config.urlType, { value: 'REDIS_URL', type: 'env' }),
                ),
                password: this.credentials?.password,
                prefix: textProperty(config.prefix, 'b24:'),
                instance:
                    typedValue(
                        RED,
                        this,
                        typedProperty(config.instance, config.instanceType, { value: '', type: 'str' }),
                    ) || os.hostname(),
                leaseSeconds: numberProperty(config.leaseSeconds, 15),
            });
        } catch (err) {
            this.error(userError(RED, err, TYPE).message);
            return;
        }
        const coordination = new StoreCoordination(settings, credentialSecret(RED));
        this.coordination = coordination;
        coordination.on('state', (state) => {
            if (state === 'down') this.warn(RED._(`${TYPE}.log.down`));
            else this.log(RED._(`${TYPE}.log.up`, { instance: settings.instance }));
        });
        this.on('close', (_removed: boolean, done: () => void) => {
            coordination.close().then(done, done);
        });
    }

    RED.nodes.registerType<StoreNode, StoreConfig, unknown, StoreCredentials>(TYPE, Bitrix24StoreNode, {
        credentials: { password: { type: 'password' } },
    });
    registerStoreRoutes(RED);
};

/**
 * A `str` or `env` property's value; an unset variable is empty. Both types are synchronous (only
 * JSONata and context stores need the callback, docs/node-red.md §2.9).
 */
function typedValue(RED: NodeAPI, node: Node, property: TypedProperty): string {
    if (property.type !== 'env') return property.value.trim();
    const value: unknown = RED.util.evaluateNodeProperty(property.value, 'env', node, {});
    return typeof value === 'string' ? value.trim() : '';
}

/**
 * `POST <admin>/bitrix24/store/:id/test`: this instance's name, the live instances and who
 * drains what, as the deployed store node sees them.
 */
function registerStoreRoutes(RED: NodeAPI): void {
    RED.httpAdmin.post(
        '/bitrix24/store/:id/test',
        RED.auth.needsPermission(`${TYPE}.read`),
        (req: Request, res: Response) => {
            const node = RED.nodes.getNode(String(req.params.id)) as StoreNode | null;
            if (node?.type !== TYPE) {
                res.status(404).json({
                    ok: false,
                    code: 'NOT_DEPLOYED',
                    message: RED._(`${TYPE}.test.notDeployed`),
                });
                return;
            }
            const coordination = node.coordination;
            if (!coordination) {
                res.json({ ok: false, code: 'INVALID_CONFIG', message: RED._(`${TYPE}.test.invalid`) });
                return;
            }
            Promise.all([coordination.instances(), coordination.leases()]).then(
                ([instances, leases]) =>
                    res.json({ ok: true, instance: coordination.instance, instances, leases }),
                () =>
                    res.json({
                        ok: false,
                        code: 'STORE_UNREACHABLE',
                        message: RED._(`${TYPE}.test.unreachable`),
                    }),
            );
        },
    );
}
