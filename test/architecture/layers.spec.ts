import assert from 'node:assert/strict';
import path from 'node:path';

import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '../..');

/** One import line in a file of a layer, and whether the layering lint lets it through. */
interface Case {
    file: string;
    from: string;
    allowed: boolean;
}

const CASES: Case[] = [
    { file: 'src/bitrix24/client.ts', from: '../runtime/portal/portal-connection', allowed: false },
    { file: 'src/bitrix24/auth/tokens.ts', from: '../../demo/wait', allowed: false },
    { file: 'src/bitrix24/client.ts', from: '../nodes/shared/i18n', allowed: false },
    { file: 'src/bitrix24/client.ts', from: 'node-red', allowed: false },
    { file: 'src/bitrix24/auth/tokens.ts', from: '../errors', allowed: true },
    {
        file: 'src/runtime/portal/portal-connection.ts',
        from: '../../nodes/shared/portal-node',
        allowed: false,
    },
    { file: 'src/runtime/portal/portal-connection.ts', from: '../../emulator', allowed: false },
    { file: 'src/runtime/offline/reader.ts', from: '../../demo/wait', allowed: false },
    { file: 'src/runtime/offline/reader.ts', from: '@node-red/util', allowed: false },
    { file: 'src/runtime/offline/reader.ts', from: '../../bitrix24', allowed: true },
    { file: 'src/nodes/bitrix24-call.ts', from: '../emulator/portal', allowed: false },
    { file: 'src/nodes/shared/status.ts', from: '../../demo/wait', allowed: false },
    { file: 'src/nodes/bitrix24-call.ts', from: '../runtime/call/rest-caller', allowed: true },
    { file: 'src/emulator/portal.ts', from: '../bitrix24/errors', allowed: false },
    { file: 'src/emulator/rest/errors.ts', from: '../../runtime/offline/ledger', allowed: false },
    { file: 'src/emulator/portal.ts', from: '../nodes/shared/i18n', allowed: false },
    { file: 'src/emulator/portal.ts', from: './control/counters', allowed: true },
];

describe('architecture: eslint keeps each layer of src/ to its own imports', function () {
    this.timeout(120_000);
    let eslint: ESLint;

    before(() => {
        eslint = new ESLint({ cwd: ROOT });
    });

    /** The layering errors ESLint reports for a file of the layer that holds just this import. */
    async function layeringErrors({ file, from }: Case): Promise<string[]> {
        const code = `import * as imported from '${from}';\n\nexport const used = imported;\n`;
        const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
        return (result?.messages ?? [])
            .filter((message) => message.ruleId === 'no-restricted-imports')
            .map((message) => message.message);
    }

    for (const testCase of CASES) {
        const { file, from, allowed } = testCase;
        const layer = file.split('/')[1];
        it(`${allowed ? 'lets' : 'fails'} an import of '${from}' in ${layer} (${path.basename(file)})`, async () => {
            const errors = await layeringErrors(testCase);
            if (allowed) assert.deepEqual(errors, []);
            else assert.equal(errors.length, 1, `expected one layering error, got: ${errors.join('; ')}`);
        });
    }

    it('names the rule the import breaks in the error', async () => {
        const [error] = await layeringErrors(CASES[0]);
        assert.match(error ?? '', /the client \(src\/bitrix24\) imports nothing of ours/);
    });
});
