import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { writeFileAtomic } from '../../dist/bitrix24/internal';
import { useTempDir } from '../helpers/temp-dir';

describe('writeFileAtomic', () => {
    const dir = useTempDir('b24-atomic-');

    it('writes the content with mode 0600 and leaves no temporary file', async () => {
        const file = path.join(dir(), 'tokens-portal.json');
        await writeFileAtomic(file, '{"a":1}');
        assert.equal(await fs.readFile(file, 'utf8'), '{"a":1}');
        assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
        assert.deepEqual(await fs.readdir(dir()), ['tokens-portal.json']);
    });

    it('removes the temporary copy a process killed before its rename left behind', async () => {
        const file = path.join(dir(), 'tokens-portal.json');
        const orphan = path.join(dir(), 'tokens-portal.json.4194301.0123456789ab.tmp');
        await fs.writeFile(orphan, 'tokens of a killed process', { mode: 0o600 });
        await writeFileAtomic(file, '{"a":2}');
        assert.deepEqual(await fs.readdir(dir()), ['tokens-portal.json']);
    });

    it('keeps the temporary files of other files and of this process', async () => {
        const file = path.join(dir(), 'ledger-get.json');
        const others = [
            'ledger-other.json.4194301.0123456789ab.tmp',
            `ledger-get.json.${process.pid}.0123456789ab.tmp`,
            'ledger-get.json.backup',
        ];
        for (const name of others) await fs.writeFile(path.join(dir(), name), 'x');
        await writeFileAtomic(file, '{}');
        assert.deepEqual((await fs.readdir(dir())).sort(), [...others, 'ledger-get.json'].sort());
    });
});
