import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import ts from 'typescript';

/** The repository's src/ folder. */
export const SRC_DIR = path.resolve(__dirname, '../../src');

/** Every .ts file below `dir`, as absolute paths. */
export function sourceFiles(dir: string): string[] {
    return readdirSync(dir).flatMap((entry) => {
        const full = path.join(dir, entry);
        if (statSync(full).isDirectory()) return sourceFiles(full);
        return full.endsWith('.ts') && !full.endsWith('.d.ts') ? [full] : [];
    });
}

/**
 * The files of ours that `file` imports (type-only imports and re-exports included: a circle of
 * types is a circle to a reader), found by the TypeScript scanner, resolved as CommonJS does.
 */
export function importsOf(file: string): string[] {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    return importedFiles
        .map(({ fileName }) => fileName)
        .filter((specifier) => specifier.startsWith('.'))
        .map((specifier) => resolve(path.resolve(path.dirname(file), specifier)))
        .filter((resolved): resolved is string => resolved !== undefined);
}

function resolve(base: string): string | undefined {
    for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
        try {
            if (statSync(candidate).isFile()) return candidate;
        } catch {
            // not this one
        }
    }
    return undefined;
}

/**
 * The import circles among `files`: each as the list of files from one back to itself, found by
 * a depth-first walk (one circle per back edge; an empty list when there are none).
 */
export function importCircles(files: string[], importsOfFile = importsOf): string[][] {
    const graph = new Map(files.map((file) => [file, importsOfFile(file)]));
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const circles: string[][] = [];
    const visit = (file: string): void => {
        state.set(file, 'open');
        stack.push(file);
        for (const next of graph.get(file) ?? []) {
            if (state.get(next) === 'open') circles.push([...stack.slice(stack.indexOf(next)), next]);
            else if (!state.has(next)) visit(next);
        }
        stack.pop();
        state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    return circles;
}
