// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
    { ignores: ['dist/**', 'node_modules/**', '.node-red-demo/**', '.ci/work/**', 'test/output/**'] },
    js.configs.recommended,
    {
        files: ['**/*.ts'],
        extends: [...tseslint.configs.recommendedTypeChecked],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        rules: {
            '@typescript-eslint/no-explicit-any': 'error',
            '@typescript-eslint/no-unused-vars': [
                'error',
                { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
            ],
            '@typescript-eslint/consistent-type-imports': 'error',
            eqeqeq: ['error', 'always'],
        },
    },
    // The layers of src/: each imports only those below it (client < runtime < nodes; the emulator
    // stands apart), so that a wrong import fails the lint.
    layer(
        'src/bitrix24/**/*.ts',
        'the client (src/bitrix24) imports nothing of ours and no Node-RED',
        ['runtime', 'nodes', 'emulator', 'demo'],
        { nodeRed: false },
    ),
    layer(
        'src/runtime/**/*.ts',
        'the runtime (src/runtime) imports no nodes, Node-RED, emulator or demo',
        ['nodes', 'emulator', 'demo'],
        { nodeRed: false },
    ),
    layer('src/nodes/**/*.ts', 'the nodes (src/nodes) import no emulator or demo', ['emulator', 'demo']),
    layer(
        'src/emulator/**/*.ts',
        'the emulator (src/emulator) imports no client, runtime or nodes: it follows Bitrix24, not our code',
        ['bitrix24', 'runtime', 'nodes'],
    ),
    {
        files: ['test/**/*.ts'],
        rules: {
            // chai-style and sinon assertions read as expressions; promises from mocha hooks are awaited by mocha
            '@typescript-eslint/no-unused-expressions': 'off',
        },
    },
    {
        files: ['**/*.mjs', '**/*.js'],
        languageOptions: {
            globals: {
                console: 'readonly',
                process: 'readonly',
                require: 'readonly',
                module: 'writable',
                __dirname: 'readonly',
            },
        },
    },
);

/**
 * `no-restricted-imports` for the files of one layer of src/: relative imports that climb into
 * one of the `banned` folders of src/, and with `nodeRed: false` Node-RED's packages.
 * @param {string} files
 * @param {string} message
 * @param {string[]} banned
 * @param {{ nodeRed?: boolean }} [options]
 */
function layer(files, message, banned, { nodeRed = true } = {}) {
    const patterns = [{ regex: `^(\\.\\./)+(${banned.join('|')})(/|$)`, message }];
    if (!nodeRed) patterns.push({ regex: '^(node-red|@node-red/.*)$', message });
    return { files: [files], rules: { 'no-restricted-imports': ['error', { patterns }] } };
}
