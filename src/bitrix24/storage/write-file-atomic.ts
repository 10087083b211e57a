import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Writes a file so that readers see the old or the new content, never a mix; mode 0600. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
    const dir = path.dirname(file);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await fs.open(temp, 'w', 0o600);
    try {
        await handle.writeFile(content);
        await handle.sync();
    } finally {
        await handle.close();
    }
    await fs.chmod(temp, 0o600);
    await fs.rename(temp, file);
    const dirHandle = await fs.open(dir, 'r');
    try {
        await dirHandle.sync();
    } finally {
        await dirHandle.close();
    }
    await removeStaleTemps(file);
}

/**
 * Removes the temporary copies that a process killed between writing and renaming left beside
 * `file` (a copy of the token file is still a copy of the tokens). A temp named with another pid
 * belongs to a process that is gone: one Node-RED owns a user directory.
 */
async function removeStaleTemps(file: string): Promise<void> {
    const dir = path.dirname(file);
    const prefix = `${path.basename(file)}.`;
    for (const name of await fs.readdir(dir)) {
        const [pid, hex, ext] = name.startsWith(prefix) ? name.slice(prefix.length).split('.') : [];
        if (ext === 'tmp' && /^\d+$/.test(pid) && /^[0-9a-f]{12}$/.test(hex) && Number(pid) !== process.pid) {
            await fs.rm(path.join(dir, name), { force: true });
        }
    }
}
