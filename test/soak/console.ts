/** Progress lines go to stderr: stdout carries only the JSON report. */
export const log = (line: string) =>
    process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
