import getModule from '../../dist/nodes/bitrix24-offline-get';
import { badInputTable } from './table';

const PORTAL_URL = /portal URL must be an http\(s\) URL such as https:\/\/example\.bitrix24\.com/;
const WEBHOOK_URL = /webhook URL must look like https:\/\/<portal>\/rest\/<user id>\/<secret>\//;

/**
 * The portal config node's settings, each seen where users meet it: an offline-get node that
 * uses the portal answers its msg with the portal's configuration error.
 */
badInputTable(
    {
        type: 'bitrix24-offline-get',
        title: 'bitrix24-portal (through an offline-get node that uses it)',
        module: getModule,
        config: { mode: 'reserve', output: 'batch', maxOpen: 1 },
        methods: ['event.offline.get', 'event.offline.list'],
        outputs: 2,
    },
    ({ bench }) => {
        const { portalUrl, webhookUrl, app } = bench.emulator;
        const webhook = (url: string) => ({
            node: { authType: 'webhook' },
            credentials: { webhookUrl: url },
        });
        return [
            ...(
                [
                    ['an empty portal URL', ''],
                    ['a portal URL without http(s)://', 'example.bitrix24.com'],
                    ['an ftp portal URL', 'ftp://example.bitrix24.com'],
                    ['a portal URL that is only a scheme', 'https://'],
                    ['a portal URL that is a number', 42],
                ] as [string, unknown][]
            ).map(([what, url]) => ({
                what,
                portal: { node: { portalUrl: url } },
                msg: {},
                error: PORTAL_URL,
                code: 'INVALID_CONFIG',
            })),
            {
                what: 'a webhook portal without a webhook URL',
                portal: webhook(''),
                msg: {},
                error: WEBHOOK_URL,
            },
            {
                what: 'a webhook URL without /rest/<user>/<secret>/, never repeating it',
                portal: webhook(`${portalUrl}/rest/hooksecret0042/`),
                msg: {},
                error: new RegExp(`^(?!.*hooksecret0042)(.*)${WEBHOOK_URL.source}`),
            },
            {
                what: 'a webhook URL of another portal',
                portal: webhook('https://other.bitrix24.com/rest/1/hooksecret0043/'),
                msg: {},
                error: /webhook URL belongs to another portal/,
            },
            {
                what: 'a webhook portal, where offline events need OAuth',
                portal: webhook(webhookUrl),
                msg: {},
                error: /OAuth/,
            },
            {
                what: 'a custom rate limit with a burst of 0',
                portal: { node: { rateLimit: 'custom', burst: 0, rps: 2 } },
                msg: {},
                error: /rate limit needs a burst of at least 1 request and a positive rate/,
            },
            {
                what: 'a custom rate limit with a negative rate',
                portal: { node: { rateLimit: 'custom', burst: 10, rps: -1 } },
                msg: {},
                error: /rate limit needs a burst of at least 1 request and a positive rate/,
            },
            {
                what: 'an OAuth server that is not a URL',
                portal: { node: { oauthServer: 'oauth.bitrix.info' } },
                msg: {},
                error: /OAuth server must be an http\(s\) URL/,
            },
            {
                what: 'an OAuth portal without tokens',
                portal: { credentials: { clientId: app.clientId, clientSecret: app.clientSecret } },
                msg: {},
                error: /no OAuth tokens yet: install the application, press Connect/,
                code: 'NOT_AUTHORIZED',
            },
        ];
    },
);
