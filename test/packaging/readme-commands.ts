/**
 * The shell commands of the first fenced `sh` block in the README section `heading` (a level-2
 * heading), one per line, without blank lines and comments. Fails when there is no such block.
 */
export function shellCommandsOfSection(readme: string, heading: string): string[] {
    const start = readme.search(new RegExp(`^## ${escapeRegExp(heading)}\\s*$`, 'm'));
    if (start === -1) throw new Error(`README has no "## ${heading}" section`);
    const rest = readme.slice(start + 3);
    const next = rest.search(/^## /m);
    const section = next === -1 ? rest : rest.slice(0, next);
    const block = /^```(?:sh|bash|shell)\s*\n([\s\S]*?)^```/m.exec(section);
    if (!block) throw new Error(`README section "${heading}" has no fenced sh block`);
    return block[1]
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith('#'));
}

/** `command` with each whole-word occurrence of the package name replaced by the (quoted) `replacement`. */
export function withPackageReplaced(command: string, name: string, replacement: string): string {
    const quoted = `'${replacement.replace(/'/g, `'\\''`)}'`;
    return command.replace(new RegExp(`(?<![\\w@/.-])${escapeRegExp(name)}(?![\\w/.-])`, 'g'), quoted);
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
