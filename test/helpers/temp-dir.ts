import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Registers hooks that give each test of the enclosing describe a fresh temporary folder named
 * `<prefix>…`, removed after the test; returns the getter of the current folder.
 */
export function useTempDir(prefix: string): () => string {
    let dir = '';
    beforeEach(async () => {
        dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
    });
    afterEach(async () => {
        await fs.rm(dir, { recursive: true, force: true });
    });
    return () => dir;
}
