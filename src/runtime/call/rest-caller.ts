import {
    isReadMethod,
    type BatchCommand,
    type Bitrix24Client,
    type Bitrix24Error,
    type RestResponse,
} from '../../bitrix24';

/** When a call carries the portal's `auth_connector`. */
export type ConnectorMode = 'auto' | 'always' | 'never';

/** One command's outcome, in the order given. */
export interface CallOutcome {
    method: string;
    result?: unknown;
    total?: number;
    next?: number;
    error?: Bitrix24Error;
}

/**
 * Any REST method, alone or as a list through `batch` (50 per request). In `auto` mode a write
 * carries the portal's connector, so that the change does not come back into this connector's
 * offline queue (docs/bitrix24.md §11); a read needs none.
 */
export class RestCaller {
    constructor(
        private readonly client: Bitrix24Client,
        private readonly connector: string,
        private readonly mode: ConnectorMode,
    ) {}

    call<T = unknown>(method: string, params: Record<string, unknown>): Promise<RestResponse<T>> {
        return this.client.call<T>(method, params, { authConnector: this.connectorFor([method]) });
    }

    /**
     * A batch applies its connector to every command (docs/bitrix24.md §10), so one write among the
     * commands gives the whole list the connector; reads do not mind it.
     */
    async batch(commands: readonly BatchCommand[]): Promise<CallOutcome[]> {
        if (commands.length === 0) return [];
        const items = await this.client.batch(commands, {
            authConnector: this.connectorFor(commands.map((c) => c.method)),
        });
        return items.map((item) => {
            if (item.error || !item.response) return { method: item.method, error: item.error };
            const { result, total, next } = item.response;
            return {
                method: item.method,
                result,
                ...(total === undefined ? {} : { total }),
                ...(next === undefined ? {} : { next }),
            };
        });
    }

    connectorFor(methods: readonly string[]): string | undefined {
        // Webhooks ignore auth_connector (docs/bitrix24.md §7), so sending one would only mislead.
        if (!this.connector || this.mode === 'never' || this.client.auth.kind === 'webhook') return undefined;
        if (this.mode === 'always') return this.connector;
        return methods.some((method) => !isReadMethod(method)) ? this.connector : undefined;
    }
}
