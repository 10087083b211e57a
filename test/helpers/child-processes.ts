import { readdirSync, readFileSync } from 'node:fs';

/** The ids of the running processes whose parent is `pid` (Linux, from /proc). */
export function childrenOf(pid: number): number[] {
    const children: number[] = [];
    for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
            const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
            if (parent === pid) children.push(Number(entry));
        } catch {
            // gone meanwhile
        }
    }
    return children;
}

/** Whether a process exists and is not a zombie. */
export function isRunning(pid: number): boolean {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
    } catch {
        return false;
    }
}

/** Sends SIGKILL to each process that still runs. */
export function killAll(pids: number[]): void {
    for (const pid of pids) {
        if (!isRunning(pid)) continue;
        try {
            process.kill(pid, 'SIGKILL');
        } catch {
            // exited meanwhile
        }
    }
}
