import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { JsonFile, MemoryDocument } from '../../dist/bitrix24/internal';
import { useTempDir } from '../helpers/temp-dir';

describe('JSON documents', () => {
    const dir = useTempDir('b24-document-');

    describe('JsonFile', () => {
        it('reads nothing when the file does not exist', async () => {
            assert.equal(await new JsonFile(path.join(dir(), 'absent.json')).read(), undefined);
        });

        it('reads back what it wrote, as JSON in a file of mode 0600 in a new directory', async () => {
            const file = path.join(dir(), 'bitrix24', 'ledger-n1.json');
            const document = new JsonFile<{ version: number; entries: string[] }>(file);
            await document.write({ version: 1, entries: ['a'] });
            assert.deepEqual(await document.read(), { version: 1, entries: ['a'] });
            assert.equal(await fs.readFile(file, 'utf8'), '{"version":1,"entries":["a"]}');
            assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
        });

        it('rejects a damaged file, leaving it as it was', async () => {
            const file = path.join(dir(), 'damaged.json');
            await fs.writeFile(file, '{"version": 1, "entr');
            await assert.rejects(new JsonFile(file).read(), SyntaxError);
            assert.equal(await fs.readFile(file, 'utf8'), '{"version": 1, "entr');
        });

        it('removes its file, and removing a missing one is no error', async () => {
            const document = new JsonFile(path.join(dir(), 'doorbell-t1.json'));
            await document.write({ handler: 'x' });
            await document.remove();
            await document.remove();
            assert.equal(await document.read(), undefined);
        });
    });

    describe('MemoryDocument', () => {
        it('keeps what it was given until removed', async () => {
            const document = new MemoryDocument<{ n: number }>();
            assert.equal(await document.read(), undefined);
            await document.write({ n: 1 });
            assert.deepEqual(await document.read(), { n: 1 });
            await document.remove();
            assert.equal(await document.read(), undefined);
        });
    });
});
