import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { NodeRedProcess } from '../../src/demo/node-red-process';
import { packTarball, readPackageJson } from './package-files';
import { shellCommandsOfSection, withPackageReplaced } from './readme-commands';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');

/**
 * The README's Install section as a newcomer follows it: its commands, read from the README (so
 * the two cannot drift), run in a fresh Node-RED user directory with the package name pointing at
 * the packed tarball; then Node-RED restarted there.
 */
describe("the README's install commands, run against the packed tarball", function () {
    this.timeout(180_000);
    const pkg = readPackageJson(ROOT);
    const commands = shellCommandsOfSection(readFileSync(path.join(ROOT, 'README.md'), 'utf8'), 'Install');
    let tmp = '';
    let userDir = '';
    let nodeRed: NodeRedProcess | undefined;

    before(async () => {
        tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'b24-readme-'));
        userDir = path.join(tmp, 'user');
        const { tarball } = await packTarball(ROOT, tmp);
        // A user directory as a first start of Node-RED leaves it (with its package.json).
        await (await NodeRedProcess.start({ userDir })).stop();
        for (const command of commands) {
            await run('sh', ['-c', withPackageReplaced(command, pkg.name, tarball)], {
                cwd: userDir,
                env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' },
            });
        }
        nodeRed = await NodeRedProcess.start({ userDir }); // "then restart Node-RED"
    });

    after(async () => {
        await nodeRed?.stop();
        if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    });

    it('names the package in a command of the fenced sh block', () => {
        assert.ok(
            commands.some((command) => withPackageReplaced(command, pkg.name, '/x.tgz') !== command),
            `README Install commands: ${JSON.stringify(commands)}`,
        );
    });

    it('leaves a user directory where Node-RED loads every node type of the package without error', async () => {
        const ours = (await (nodeRed as NodeRedProcess).nodeTypes()).filter(
            (node) => node.module === pkg.name,
        );
        assert.deepEqual(ours.map((node) => node.type).sort(), Object.keys(pkg['node-red'].nodes).sort());
        assert.deepEqual(
            ours.filter((node) => !node.enabled || node.err),
            [],
        );
    });
});
