import assert from 'node:assert/strict';
import path from 'node:path';

import { importCircles, importsOf, sourceFiles, SRC_DIR } from './source-imports';

/** A circle as `a.ts -> b.ts -> a.ts`, paths relative to src/. */
function shown(circle: string[]): string {
    return circle.map((file) => path.relative(SRC_DIR, file)).join(' -> ');
}

describe('architecture: the imports of src/ form no circle', () => {
    it('finds no import circle among the files of src/, type-only imports included', () => {
        const circles = importCircles(sourceFiles(SRC_DIR)).map(shown);
        assert.deepEqual(circles, []);
    });

    it('finds the imports of a real file, type-only ones included', () => {
        const imported = importsOf(path.join(SRC_DIR, 'emulator/control/control-types.ts')).map((file) =>
            path.relative(SRC_DIR, file),
        );
        assert.ok(imported.includes('emulator/control/counters.ts'), imported.join(', '));
        assert.ok(imported.includes('emulator/control/generator.ts'), imported.join(', '));
    });

    it('reports a circle of three files planted in a graph, from the file where it closes', () => {
        const graph: Record<string, string[]> = {
            '/src/a.ts': ['/src/b.ts'],
            '/src/b.ts': ['/src/c.ts', '/src/d.ts'],
            '/src/c.ts': ['/src/a.ts'],
            '/src/d.ts': [],
        };
        const circles = importCircles(Object.keys(graph), (file) => graph[file] ?? []);
        assert.deepEqual(circles, [['/src/a.ts', '/src/b.ts', '/src/c.ts', '/src/a.ts']]);
    });
});
