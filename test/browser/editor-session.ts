import type { Browser, Page } from 'playwright-core';

import { startRuntime } from '../helpers/node-red-runtime';
import { launchChromium } from './chromium';
import { EditorPage } from './editor-page';

/** A real Node-RED with this package, and its editor open in Chromium. */
export interface EditorSession {
    browser: Browser;
    page: Page;
    editor: EditorPage;
}

/**
 * Mocha hooks for a describe block that looks at the editor: before its tests a runtime starts
 * and the editor opens in a browser speaking `locale`; `ready` gets the session (to keep what the
 * tests use, or to import a flow first); after them both close.
 */
export function useEditorOnRuntime(
    locale: string,
    ready: (session: EditorSession) => Promise<void> | void,
): void {
    let browser: Browser | undefined;
    let stopNodeRed: (() => Promise<void>) | undefined;
    before(async () => {
        browser = await launchChromium();
        const started = await startRuntime();
        stopNodeRed = started.stop;
        const page = await browser.newPage({ locale, viewport: { width: 1920, height: 1000 } });
        const editor = new EditorPage(page);
        await editor.open(started.runtime.url);
        await ready({ browser, page, editor });
    });
    after(async () => {
        await browser?.close();
        await stopNodeRed?.();
    });
}
