// semver ships no typings; node-red depends on it. These are the two functions the scorecard uses.
declare module 'semver' {
    export function satisfies(version: string, range: string): boolean;
    export function minVersion(range: string): { version: string } | null;
}
