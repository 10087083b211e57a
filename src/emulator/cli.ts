#!/usr/bin/env node
// npx b24-emulator [options]: prints one JSON line with the portal, OAuth server, webhook and the
// preinstalled app's tokens (administrator user 1), then serves until SIGINT or SIGTERM. With
// --portals N: N portals sharing one token server, and the line lists them.
import { startEmulator } from './emulator';
import { startEmulatorFarm, type FarmOptions } from './farm';
import type { LimitsSetting } from './limits/leaky-bucket';
import type { EmulatorOptions } from './options';
import { isPlan, PLANS } from './store/features';

const USAGE = `usage: b24-emulator [options]

  --port N                 portal port (default 0: any free port)
  --oauth-port N           OAuth server port (default 0)
  --host ADDRESS           listen address (default 127.0.0.1)
  --tls                    HTTPS on both ports, with a self-signed certificate made at start
  --plan NAME              ${PLANS.join('|')} (default professional)
  --feature NAME=on|off    switch a plan feature, e.g. rest_offline_extended=off (repeatable)
  --self-hosted            a self-hosted build: every feature works, feature.get says en_selfhosted
  --limits on|off          the plan's request-rate bucket (default on)
  --operating-limit S      per-method operating-time budget over 10 minutes, seconds (default 480)
  --token-ttl S            access-token lifetime, seconds (default 3600)
  --token-server URL       the token server the portal names (default: its own OAuth port)
  --regional-token-server  a second OAuth port is the portal's regional token server; the first
                           one refuses its apps
  --row-delay MS           offline rows are written MS after the answer (default 0)
  --ring-delay MS          rings and online events wait MS in the event queue (default 0)
  --ring-jitter MS         plus a random 0..MS (default 0)
  --legacy-paging          event.offline.list without next and with total 0, as older builds
  --seed N                 seed of the fault and jitter dice
  --portals N              N portals in one process (each on its own port, from --port on when
                           set), sharing one token server (--oauth-port); one Marketplace
                           application, installed on none of them yet (see the farm control API)
  --help                   this text

The first line of stdout is JSON: portalUrl, oauthServer, webhookUrl, domain, clientEndpoint,
serverEndpoint, certificate (with --tls) and app {clientId, clientSecret, accessToken,
refreshToken, expires, applicationToken, memberId}. With --portals: oauthServer, farmControl
(the farm control API, oauthServer + /_emulator/farm), certificate (with --tls),
app {clientId, clientSecret} and portals [{index, portalUrl, domain, memberId}].
`;

export class UsageError extends Error {}

/** Each portal takes a port: stay well inside the port range and the file-descriptor limit. */
const MAX_PORTALS = 10000;

function number(flag: string, value: string | undefined, max = Number.MAX_SAFE_INTEGER): number {
    const parsed = Number(value);
    if (
        value === undefined ||
        value.trim() === '' ||
        !Number.isFinite(parsed) ||
        parsed < 0 ||
        parsed > max
    ) {
        throw new UsageError(`bad ${flag}: ${String(value)}`);
    }
    return parsed;
}

const SWITCHES = new Set(['--tls', '--self-hosted', '--legacy-paging', '--regional-token-server', '--help']);

/** The options a command line asks for; throws UsageError on anything it does not understand. */
export function parseArgs(argv: readonly string[]): EmulatorOptions & { help?: boolean; portals?: number } {
    const options: EmulatorOptions & { help?: boolean; portals?: number } = { limits: 'on' };
    const features: Record<string, boolean> = {};
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].split(/=(.*)/s, 2);
        if (SWITCHES.has(flag)) {
            if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
            if (flag === '--tls') options.tls = true;
            else if (flag === '--self-hosted') options.selfHosted = true;
            else if (flag === '--legacy-paging') options.legacyPaging = true;
            else if (flag === '--regional-token-server') options.regionalTokenServer = true;
            else options.help = true;
            continue;
        }
        const value = inline ?? argv[++i];
        switch (flag) {
            case '--port':
                options.port = number(flag, value, 65535);
                break;
            case '--oauth-port':
                options.oauthPort = number(flag, value, 65535);
                break;
            case '--host':
                if (!value) throw new UsageError('bad --host: empty');
                options.host = value;
                break;
            case '--plan':
                if (!isPlan(value)) throw new UsageError(`bad --plan: ${String(value)}`);
                options.plan = value;
                break;
            case '--feature': {
                const match = /^([A-Za-z0-9_.-]+)=(on|off)$/.exec(value ?? '');
                if (!match) throw new UsageError(`bad --feature: ${String(value)} (NAME=on|off)`);
                features[match[1]] = match[2] === 'on';
                break;
            }
            case '--limits':
                if (value !== 'on' && value !== 'off') throw new UsageError(`bad --limits: ${String(value)}`);
                options.limits = value satisfies LimitsSetting;
                break;
            case '--operating-limit':
                options.operatingLimitSeconds = number(flag, value);
                break;
            case '--token-ttl':
                options.accessTokenTtlSeconds = number(flag, value);
                break;
            case '--token-server':
                if (!value || !/^https?:\/\/[^/]+\/?$/.test(value)) {
                    throw new UsageError(
                        `bad --token-server: ${String(value)} (e.g. https://oauth.bitrix.info)`,
                    );
                }
                options.tokenServer = value;
                break;
            case '--row-delay':
                options.rowDelayMs = number(flag, value);
                break;
            case '--ring-delay':
                options.ringDelayMs = number(flag, value);
                break;
            case '--ring-jitter':
                options.ringJitterMs = number(flag, value);
                break;
            case '--seed':
                options.seed = number(flag, value);
                break;
            case '--portals': {
                const portals = number(flag, value, MAX_PORTALS);
                if (!Number.isInteger(portals) || portals < 1) {
                    throw new UsageError(`bad --portals: ${String(value)} (1 to ${MAX_PORTALS})`);
                }
                options.portals = portals;
                break;
            }
            default:
                throw new UsageError(`unknown argument: ${argv[i - (inline === undefined ? 1 : 0)]}`);
        }
    }
    if (Object.keys(features).length > 0) options.features = features;
    return options;
}

/** Stops on SIGINT or SIGTERM, then prints the first line (whoever reads it may stop us at once). */
function serveUntilSignal(stop: () => Promise<void>, line: unknown): void {
    const shutdown = () => {
        stop().then(
            () => process.exit(0),
            () => process.exit(1),
        );
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
    process.stdout.write(JSON.stringify(line) + '\n');
}

async function startFarm(options: FarmOptions): Promise<void> {
    const farm = await startEmulatorFarm(options);
    serveUntilSignal(() => farm.stop(), {
        oauthServer: farm.oauthServer,
        farmControl: `${farm.oauthServer}/_emulator/farm`,
        certificate: farm.certificate ?? undefined,
        app: farm.app,
        portals: farm.portals.map(({ index, portalUrl, domain, memberId }) => ({
            index,
            portalUrl,
            domain,
            memberId,
        })),
    });
}

async function main(): Promise<void> {
    const { help, portals, ...options } = parseArgs(process.argv.slice(2));
    if (help) {
        process.stdout.write(USAGE);
        return;
    }
    if (portals !== undefined) return startFarm({ ...options, portals });
    const emulator = await startEmulator(options);
    const { tokenServer } = emulator.control.state();
    const line = {
        portalUrl: emulator.portalUrl,
        oauthServer: emulator.oauthServer,
        webhookUrl: emulator.webhookUrl,
        domain: new URL(emulator.portalUrl).host,
        clientEndpoint: `${emulator.portalUrl}/rest/`,
        serverEndpoint: `${tokenServer}/rest/`,
        certificate: emulator.certificate ?? undefined,
        app: emulator.app,
    };
    serveUntilSignal(() => emulator.stop(), line);
}

if (require.main === module) {
    main().catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        process.stderr.write(`b24-emulator: ${message}\n`);
        if (error instanceof UsageError) process.stderr.write(USAGE);
        process.exit(2);
    });
}
