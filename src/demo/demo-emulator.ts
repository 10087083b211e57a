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

/** The answer of a REST call, loosely typed: callers check the fields they need. */
export interface RestAnswer<T = unknown> {
    result?: T;
    error?: string;
    error_description?: string;
    total?: number;
}

/** A REST call with the preinstalled app's access token, as JSON. */
export async function restCall<T = unknown>(
    emulator: Emulator,
    method: string,
    params: Record<string, unknown> = {},
): Promise<RestAnswer<T>> {
    const response = await fetch(`${emulator.portalUrl}/rest/${method}.json`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...params, auth: emulator.app.accessToken }),
    });
    return (await response.json()) as RestAnswer<T>;
}

/** Binds `event` offline for the preinstalled app, as an installed application does; throws on an error. */
export async function bindOffline(
    emulator: Emulator,
    event: string,
    extra: Record<string, unknown> = {},
): Promise<void> {
    const answer = await restCall(emulator, 'event.bind', { event, event_type: 'offline', ...extra });
    if (answer.error)
        throw new Error(`event.bind ${event}: ${answer.error} ${answer.error_description ?? ''}`);
}
