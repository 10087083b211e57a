// Changes to CRM items and tasks, and the events they raise with the EVENT_DATA shapes of
// docs/bitrix24.md §11. REST methods, the control API ("a user change") and the generator all come here.
import type { Clock } from '../clock';
import type { Counters } from '../control/counters';
import {
    ENTITY_COMPANY,
    ENTITY_CONTACT,
    ENTITY_DEAL,
    ENTITY_LEAD,
    ENTITY_QUOTE,
    type CrmItem,
    type CrmStore,
} from '../store/crm-store';
import type { Task, TaskStore } from '../store/task-store';
import type { EventDispatcher } from './dispatcher';
import type { RequestScope } from './request-scope';

export type ChangeAction = 'ADD' | 'UPDATE' | 'DELETE';

const CRM_EVENT_ENTITY: Record<number, string> = {
    [ENTITY_LEAD]: 'LEAD',
    [ENTITY_DEAL]: 'DEAL',
    [ENTITY_CONTACT]: 'CONTACT',
    [ENTITY_COMPANY]: 'COMPANY',
    [ENTITY_QUOTE]: 'QUOTE',
};

export class PortalChanges {
    constructor(
        private readonly clock: Clock,
        private readonly crm: CrmStore,
        private readonly tasks: TaskStore,
        private readonly dispatcher: EventDispatcher,
        private readonly counters: Counters,
    ) {}

    crmAdd(scope: RequestScope, entityTypeId: number, fields: Record<string, unknown>): CrmItem {
        const item = this.crm.add(entityTypeId, fields, scope.actor.userId, this.clock.nowSeconds());
        this.raiseCrm(scope, entityTypeId, item.id, 'ADD');
        return item;
    }

    crmUpdate(
        scope: RequestScope,
        entityTypeId: number,
        id: number,
        fields: Record<string, unknown>,
    ): CrmItem | undefined {
        const categoryBefore = this.crm.get(entityTypeId, id)?.fields.categoryId;
        const item = this.crm.update(entityTypeId, id, fields, scope.actor.userId, this.clock.nowSeconds());
        if (!item) return undefined;
        this.raiseCrm(scope, entityTypeId, id, 'UPDATE');
        if (entityTypeId === ENTITY_DEAL && item.fields.categoryId !== categoryBefore) {
            // ONCRMDEALMOVETOCATEGORY carries the new funnel and stage, as strings (docs example).
            this.dispatcher.raise(scope, 'ONCRMDEALMOVETOCATEGORY', {
                FIELDS: {
                    ID: String(id),
                    CATEGORY_ID: String(item.fields.categoryId),
                    STAGE_ID: item.fields.stageId,
                },
            });
        }
        return item;
    }

    crmDelete(scope: RequestScope, entityTypeId: number, id: number): boolean {
        if (!this.crm.delete(entityTypeId, id)) return false;
        this.raiseCrm(scope, entityTypeId, id, 'DELETE');
        return true;
    }

    taskAdd(scope: RequestScope, fields: Record<string, unknown>): Task {
        const task = this.tasks.add(fields, scope.actor.userId, this.clock.nowSeconds());
        this.raiseTask(scope, task.id, 'ADD');
        return task;
    }

    taskUpdate(scope: RequestScope, id: number, fields: Record<string, unknown>): Task | undefined {
        const task = this.tasks.update(id, fields, this.clock.nowSeconds());
        if (task) this.raiseTask(scope, id, 'UPDATE');
        return task;
    }

    taskDelete(scope: RequestScope, id: number): boolean {
        if (!this.tasks.delete(id)) return false;
        this.raiseTask(scope, id, 'DELETE');
        return true;
    }

    /** {FIELDS:{ID}} for system types; {FIELDS:{ID, ENTITY_TYPE_ID}} under both the generic and the
     * per-type name for smart processes (docs/bitrix24.md §11). */
    private raiseCrm(scope: RequestScope, entityTypeId: number, id: number, action: ChangeAction): void {
        this.counters.changes++;
        const entity = CRM_EVENT_ENTITY[entityTypeId];
        const eventId = scope.stringIds ? String(id) : id;
        if (entity) {
            this.dispatcher.raise(scope, `ONCRM${entity}${action}`, { FIELDS: { ID: eventId } });
            return;
        }
        const data = { FIELDS: { ID: eventId, ENTITY_TYPE_ID: entityTypeId } };
        this.dispatcher.raise(scope, `ONCRMDYNAMICITEM${action}`, data);
        this.dispatcher.raise(scope, `ONCRMDYNAMICITEM${action}_${entityTypeId}`, data);
    }

    /** FIELDS_BEFORE/FIELDS_AFTER are {ID} or the string "undefined" (task event docs). */
    private raiseTask(scope: RequestScope, id: number, action: ChangeAction): void {
        this.counters.changes++;
        const fields = { ID: scope.stringIds ? String(id) : id };
        const data =
            action === 'ADD'
                ? {
                      FIELDS_BEFORE: 'undefined',
                      FIELDS_AFTER: fields,
                      IS_ACCESSIBLE_BEFORE: 'N',
                      IS_ACCESSIBLE_AFTER: 'undefined',
                  }
                : action === 'UPDATE'
                  ? {
                        FIELDS_BEFORE: fields,
                        FIELDS_AFTER: fields,
                        IS_ACCESSIBLE_BEFORE: 'undefined',
                        IS_ACCESSIBLE_AFTER: 'undefined',
                    }
                  : {
                        FIELDS_BEFORE: fields,
                        FIELDS_AFTER: 'undefined',
                        IS_ACCESSIBLE_BEFORE: 'undefined',
                        IS_ACCESSIBLE_AFTER: 'N',
                    };
        this.dispatcher.raise(scope, `ONTASK${action}`, data);
    }
}
