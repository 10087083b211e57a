// "A user change": what a person does in the portal UI (or a robot, with userId 0). It runs as
// its own request, with no app and no connector, so every matching offline binding gets a row.
import type { Portal } from '../portal';
import { ENTITY_COMPANY, ENTITY_CONTACT, ENTITY_DEAL, ENTITY_LEAD, ENTITY_QUOTE } from '../store/crm-store';

export type ChangeEntity = 'lead' | 'deal' | 'contact' | 'company' | 'quote' | 'task';

export interface UserChange {
    /** A CRM entity type id (1, 2, 3, 4, 7 or a smart process), or use `entity`. */
    entityTypeId?: number;
    entity?: ChangeEntity;
    action: 'add' | 'update' | 'delete';
    /** Required for update and delete. */
    id?: number;
    /** crm.item field names (camelCase) for CRM, UPPER_CASE for tasks. */
    fields?: Record<string, unknown>;
    /** Who makes the change; default 1. 0 stands for a robot or agent (no tokens in events). */
    userId?: number;
    /** EVENT_DATA carries the id as a string ("49" instead of 49), as some portal paths do. */
    idAsString?: boolean;
}

export interface ChangeResult {
    ok: boolean;
    id: number;
}

const ENTITY_TYPES: Record<string, number> = {
    lead: ENTITY_LEAD,
    deal: ENTITY_DEAL,
    contact: ENTITY_CONTACT,
    company: ENTITY_COMPANY,
    quote: ENTITY_QUOTE,
};

export function applyUserChange(portal: Portal, change: UserChange): ChangeResult {
    const scope = portal.newScope({ clientId: null, connector: '', userId: change.userId ?? 1 });
    scope.stringIds = change.idAsString === true;
    const fields = change.fields ?? {};
    const id = change.id ?? 0;
    let result: ChangeResult;
    if (change.entity === 'task') {
        if (change.action === 'add') result = { ok: true, id: portal.changes.taskAdd(scope, fields).id };
        else if (change.action === 'update')
            result = { ok: !!portal.changes.taskUpdate(scope, id, fields), id };
        else result = { ok: portal.changes.taskDelete(scope, id), id };
    } else {
        const typeId = change.entityTypeId ?? ENTITY_TYPES[change.entity ?? ''];
        if (typeId === undefined || !portal.crm.hasType(typeId)) {
            throw new Error(`unknown entity: ${change.entity ?? String(change.entityTypeId)}`);
        }
        if (change.action === 'add')
            result = { ok: true, id: portal.changes.crmAdd(scope, typeId, fields).id };
        else if (change.action === 'update')
            result = { ok: !!portal.changes.crmUpdate(scope, typeId, id, fields), id };
        else result = { ok: portal.changes.crmDelete(scope, typeId, id), id };
    }
    portal.finishScope(scope);
    return result;
}
