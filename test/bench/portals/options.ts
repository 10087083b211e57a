import path from 'node:path';

/** `npm run bench:portals -- [--portals 1000] [--active 100] [--seconds 60] [--change-every 5] [--profile DIR]` */
export interface BenchOptions {
    portals: number;
    /** Portals whose deals change during the run; the others stay idle. */
    active: number;
    /** How long deals change. */
    seconds: number;
    /** Seconds between two changes on one active portal. */
    changeEvery: number;
    /** A folder for a CPU profile of the Node-RED process (.cpuprofile, written when it stops). */
    profile?: string;
}

const USAGE =
    'usage: npm run bench:portals -- [--portals 1000] [--active 100] [--seconds 60] [--change-every 5] [--profile DIR]';

export function parseOptions(args: string[]): BenchOptions {
    const options: BenchOptions = { portals: 1000, active: 100, seconds: 60, changeEvery: 5 };
    const names: Record<string, 'portals' | 'active' | 'seconds' | 'changeEvery'> = {
        '--portals': 'portals',
        '--active': 'active',
        '--seconds': 'seconds',
        '--change-every': 'changeEvery',
    };
    for (let i = 0; i < args.length; i += 2) {
        if (args[i] === '--profile' && args[i + 1]) {
            options.profile = path.resolve(args[i + 1]);
            continue;
        }
        const name = names[args[i]];
        const value = Number(args[i + 1]);
        if (!name || !Number.isFinite(value) || value <= 0) throw new Error(USAGE);
        options[name] = value;
    }
    if (!Number.isInteger(options.portals) || !Number.isInteger(options.active)) throw new Error(USAGE);
    if (options.active > options.portals) throw new Error(`--active must be at most --portals\n${USAGE}`);
    return options;
}
