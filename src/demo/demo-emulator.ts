import { startEmulator, type Emulator } from '../emulator';

/** The deal events example 01 reads. */
export const DEMO_EVENTS = ['ONCRMDEALUPDATE'];

/**
 * The emulator as a real portal would be for the demo: standard plan with its rate limits on,
 * and the preinstalled app's offline bindings made through REST, the way an installed
 * application makes them.
 */
export async function startDemoEmulator(): Promise<Emulator> {
    const emulator = await startEmulator({ plan: 'professional', limits: 'on' });
    try {
        for (const event of DEMO_EVENTS) await bindOffline(emulator, event);
    } catch (error) {
        await emulator.stop();
        throw error;
    }
    return emulator;
}

async function bindOffline(emulator: Emulator, event: string): Promise<void> {
    const response = await fetch(`${emulator.portalUrl}/rest/event.bind.json`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ auth: emulator.app.accessToken, event, event_type: 'offline' }),
    });
    const answer = (await response.json()) as {
        result?: unknown;
        error?: string;
        error_description?: string;
    };
    if (answer.error)
        throw new Error(`event.bind ${event}: ${answer.error} ${answer.error_description ?? ''}`);
}
