#!/usr/bin/env node
// npx b24-emulator [--port N] [--plan standard|enterprise] [--limits on|off]
// Prints one JSON line with the portal, OAuth server, webhook and the preinstalled app's tokens
// (administrator user 1), then serves until SIGINT or SIGTERM.
import { startEmulator } from './emulator';
import type { LimitsSetting } from './limits/leaky-bucket';
import type { Plan } from './store/features';

interface CliArgs {
    port: number;
    plan: Plan;
    limits: LimitsSetting;
}

function fail(message: string): never {
    process.stderr.write(
        `b24-emulator: ${message}\nusage: b24-emulator [--port N] [--plan standard|enterprise] [--limits on|off]\n`,
    );
    process.exit(2);
}

export function parseArgs(argv: readonly string[]): CliArgs {
    const args: CliArgs = { port: 0, plan: 'standard', limits: 'on' };
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].split('=', 2);
        const value = inline ?? argv[++i];
        if (flag === '--port') {
            const port = Number(value);
            if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`bad --port: ${value}`);
            args.port = port;
        } else if (flag === '--plan') {
            if (value !== 'standard' && value !== 'enterprise') fail(`bad --plan: ${value}`);
            args.plan = value;
        } else if (flag === '--limits') {
            if (value !== 'on' && value !== 'off') fail(`bad --limits: ${value}`);
            args.limits = value;
        } else {
            fail(`unknown argument: ${argv[i - (inline === undefined ? 1 : 0)]}`);
        }
    }
    return args;
}

async function main(): Promise<void> {
    const args = parseArgs(process.argv.slice(2));
    const emulator = await startEmulator({ port: args.port, plan: args.plan, limits: args.limits });
    const line = {
        portalUrl: emulator.portalUrl,
        oauthServer: emulator.oauthServer,
        webhookUrl: emulator.webhookUrl,
        app: emulator.app,
    };
    process.stdout.write(JSON.stringify(line) + '\n');
    const shutdown = () => {
        emulator.stop().then(
            () => process.exit(0),
            () => process.exit(1),
        );
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
}

if (require.main === module) {
    main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
}
