import path from 'node:path';

/** The faults the soak can turn on (`--faults`). */
export const FAULT_KINDS = [
    'portal-500',
    'portal-drop',
    'portal-lost',
    'portal-503',
    'token-expiry',
    'sink-fail',
    'sink-stall',
    'kill',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The run the command line asks for. */
export interface Options {
    events: number;
    seconds: number;
    faults: Set<FaultKind>;
    objects: number;
    kills: number;
    limits: { kind: 'standard' } | { kind: 'scaled'; factor: number };
    seed: number;
    settleSeconds: number;
    keep: boolean;
    logFile?: string;
    /** 0: one portal; N: one application installed on N emulated portals (an emulator farm). */
    portals: number;
    /** Node-RED processes sharing one Redis through a `bitrix24-store` (issue 14); 1: one process, no store. */
    instances: number;
}

export function parseOptions(argv: string[]): Options {
    const args = new Map<string, string>();
    for (let i = 0; i < argv.length; i++) {
        const key = argv[i].replace(/^--/, '');
        if (key === 'keep') args.set(key, 'true');
        else args.set(key, argv[++i] ?? '');
    }
    const known = [
        'events',
        'seconds',
        'faults',
        'objects',
        'kills',
        'limits',
        'seed',
        'settle-seconds',
        'keep',
        'log',
        'portals',
        'instances',
    ];
    for (const key of args.keys()) if (!known.includes(key)) throw new Error(`unknown option --${key}`);
    const number = (key: string, fallback: number) => {
        const value = args.has(key) ? Number(args.get(key)) : fallback;
        if (!Number.isFinite(value) || value < 0) throw new Error(`--${key} must be a number >= 0`);
        return value;
    };
    const events = Math.floor(number('events', 3000));
    const seconds = number('seconds', 60);
    if (events < 1 || seconds <= 0) throw new Error('--events and --seconds must be positive');
    const faultList = (args.get('faults') ?? 'all')
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean);
    const faults = new Set<FaultKind>();
    for (const fault of faultList) {
        if (fault === 'all') FAULT_KINDS.forEach((kind) => faults.add(kind));
        else if (fault === 'none') continue;
        else if ((FAULT_KINDS as readonly string[]).includes(fault)) faults.add(fault as FaultKind);
        else throw new Error(`unknown fault ${fault}; known: all, none, ${FAULT_KINDS.join(', ')}`);
    }
    const limitsArg = args.get('limits') ?? 'standard';
    const scaled = /^scaled:(\d+(?:\.\d+)?)$/.exec(limitsArg);
    if (limitsArg !== 'standard' && !scaled) throw new Error('--limits is standard or scaled:<factor>');
    const portals = Math.floor(number('portals', 0));
    const instances = Math.floor(number('instances', 1));
    if (instances < 1) throw new Error('--instances must be 1 or more');
    if (portals > 0 && instances > 1)
        throw new Error('--portals and --instances cannot be combined yet: run one of them at a time');
    return {
        events,
        seconds,
        faults,
        objects: Math.floor(number('objects', Math.min(events, 2000, Math.max(100, Math.round(events / 5))))),
        kills: Math.floor(number('kills', faults.has('kill') ? Math.max(2, Math.round(seconds / 30)) : 0)),
        limits: scaled ? { kind: 'scaled', factor: Number(scaled[1]) } : { kind: 'standard' },
        seed: Math.floor(number('seed', Math.floor(Math.random() * 2 ** 31))),
        settleSeconds: number('settle-seconds', Math.max(180, seconds)),
        keep: args.has('keep'),
        logFile: args.get('log') ? path.resolve(args.get('log') ?? '') : undefined,
        portals,
        instances,
    };
}

/** The soak's dice: the emulator's seeded mulberry32, so that a run's fault plan can be repeated. */
export { seededRandom } from '../../dist/emulator/random';
