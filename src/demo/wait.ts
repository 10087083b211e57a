/** Resolves when `predicate` holds, polling every 20 ms; rejects after `ms`. */
export async function until(
    predicate: () => boolean | Promise<boolean>,
    ms = 20_000,
    what = 'condition',
): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await predicate())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(20);
    }
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
