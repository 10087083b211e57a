// The method table: name (lower case) -> scope and handler.
import { GLOBAL_SCOPE } from '../events/catalog';
import { crmItemAdd, crmItemDelete, crmItemGet, crmItemList, crmItemUpdate } from '../methods/crm-item';
import { legacyCrmMethods } from '../methods/crm-legacy';
import { eventBind, eventGet, eventsList, eventUnbind } from '../methods/event-bind';
import { eventOfflineClear, eventOfflineError } from '../methods/offline-clear';
import { eventOfflineGet } from '../methods/offline-get';
import { eventOfflineList } from '../methods/offline-list';
import { appInfo, featureGet, profile, userAdmin } from '../methods/system';
import { taskAdd, taskDelete, taskGet, taskUpdate } from '../methods/tasks';
import { ENTITY_COMPANY, ENTITY_CONTACT, ENTITY_DEAL, ENTITY_LEAD } from '../store/crm-store';
import { batchMethod } from './batch';
import type { MethodHandler, MethodSpec } from './context';
import type { RestProcessor } from './process';

export function buildMethodTable(processor: () => RestProcessor): Map<string, MethodSpec> {
    const table = new Map<string, MethodSpec>();
    const add = (scope: string, handlers: Record<string, MethodHandler>) => {
        for (const [name, handler] of Object.entries(handlers)) table.set(name, { scope, handler });
    };
    add(GLOBAL_SCOPE, {
        batch: batchMethod(processor),
        events: eventsList,
        'event.bind': eventBind,
        'event.unbind': eventUnbind,
        'event.get': eventGet,
        'event.offline.get': eventOfflineGet,
        'event.offline.clear': eventOfflineClear,
        'event.offline.error': eventOfflineError,
        'event.offline.list': eventOfflineList,
        'app.info': appInfo,
        'feature.get': featureGet,
        'user.admin': userAdmin,
        profile,
    });
    add('crm', {
        'crm.item.add': crmItemAdd,
        'crm.item.update': crmItemUpdate,
        'crm.item.get': crmItemGet,
        'crm.item.list': crmItemList,
        'crm.item.delete': crmItemDelete,
        ...legacyCrmMethods('crm.deal', ENTITY_DEAL),
        ...legacyCrmMethods('crm.contact', ENTITY_CONTACT),
        ...legacyCrmMethods('crm.lead', ENTITY_LEAD),
        ...legacyCrmMethods('crm.company', ENTITY_COMPANY),
    });
    add('task', {
        'tasks.task.add': taskAdd,
        'tasks.task.update': taskUpdate,
        'tasks.task.get': taskGet,
        'tasks.task.delete': taskDelete,
    });
    return table;
}
