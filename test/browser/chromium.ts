import { existsSync } from 'node:fs';

import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Debian's Chromium, headless. Fails with the way to install it when it is missing. */
export async function launchChromium(): Promise<Browser> {
    if (!existsSync(CHROMIUM)) {
        throw new Error(
            `${CHROMIUM} is missing: the browser test drives Debian's Chromium. Install it with ` +
                '`apt-get update && apt-get install -y chromium` (.ci/run does this when it is missing).',
        );
    }
    return chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        // Without the background-networking flags Chromium's own connections are refused by the
        // closed network here, and it stalls.
        args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
        ],
    });
}
