// The events a token can bind, by scope (docs/bitrix24.md §5, §11). `events` lists them; `event.bind`
// accepts an event only when its scope is one of the token's scopes or the global one.

export const GLOBAL_SCOPE = '_global';

export interface EventInfo {
    name: string;
    scope: string;
    /** ONOFFLINEEVENT cannot itself be bound as offline (per source lib/api/event.php). */
    disableOffline?: boolean;
    /** Option keys kept by event.bind, with their types; others are dropped silently. */
    allowOptions?: Record<string, 'int' | 'str'>;
    /** Event payloads include auth[refresh_token] (ONOFFLINEEVENT, ONAPPINSTALL). */
    sendRefreshToken?: boolean;
}

const CRUD = ['ADD', 'UPDATE', 'DELETE'];

export class EventCatalog {
    private readonly events = new Map<string, EventInfo>();

    constructor(smartProcessTypes: readonly number[]) {
        for (const name of ['ONAPPUNINSTALL', 'ONAPPMETHODCONFIRM', 'ONAPPPAYMENT'])
            this.add(name, GLOBAL_SCOPE);
        for (const name of ['ONAPPINSTALL', 'ONAPPUPDATE', 'ONAPPTEST', 'ONSUBSCRIPTIONRENEW']) {
            this.add(name, GLOBAL_SCOPE, { sendRefreshToken: true });
        }
        this.add('ONOFFLINEEVENT', GLOBAL_SCOPE, {
            disableOffline: true,
            allowOptions: { minTimeout: 'int' },
            sendRefreshToken: true,
        });
        for (const entity of ['LEAD', 'DEAL', 'CONTACT', 'COMPANY', 'QUOTE', 'DYNAMICITEM']) {
            for (const action of CRUD) this.add(`ONCRM${entity}${action}`, 'crm');
        }
        this.add('ONCRMDEALMOVETOCATEGORY', 'crm');
        for (const typeId of smartProcessTypes) this.addSmartProcess(typeId);
        for (const action of CRUD) {
            this.add(`ONTASK${action}`, 'task');
            this.add(`ONTASKCOMMENT${action}`, 'task');
        }
        this.add('ONUSERADD', 'user');
    }

    addSmartProcess(entityTypeId: number): void {
        for (const action of CRUD) this.add(`ONCRMDYNAMICITEM${action}_${entityTypeId}`, 'crm');
    }

    get(name: string): EventInfo | undefined {
        return this.events.get(name);
    }

    scopes(): string[] {
        return [...new Set([...this.events.values()].map((info) => info.scope))];
    }

    namesIn(scopes: readonly string[]): string[] {
        return [...this.events.values()]
            .filter((info) => scopes.includes(info.scope))
            .map((info) => info.name);
    }

    private add(name: string, scope: string, extra: Partial<EventInfo> = {}): void {
        this.events.set(name, { name, scope, ...extra });
    }
}
