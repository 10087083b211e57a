// tasks.task.add / update / get / delete. Input fields are UPPER_CASE, answers camelCase with
// string ids; changes raise ONTASKADD/UPDATE/DELETE (docs/bitrix24.md §11).
import { formatIso } from '../php/datetime';
import type { PhpArray } from '../php/values';
import { ok, type CallContext, type MethodResult } from '../rest/context';
import { RestError } from '../rest/errors';
import type { Task } from '../store/task-store';
import { upperToCamel } from './field-names';
import { fieldsParam, idParam, lowerKeys } from './params';

function taskOutput(task: Task, offsetMinutes: number): Record<string, unknown> {
    const result: Record<string, unknown> = { id: String(task.id) };
    for (const [name, value] of Object.entries(task.fields)) {
        result[upperToCamel(name)] = typeof value === 'number' ? String(value) : value;
    }
    result.createdBy = String(task.createdBy);
    result.createdDate = formatIso(task.createdDate, offsetMinutes);
    result.changedDate = formatIso(task.changedDate, offsetMinutes);
    return result;
}

/** The tasks module's answer when updating or deleting a task that does not exist (or cannot be seen). */
function taskNotFound(): RestError {
    return new RestError(
        'ERROR_CORE',
        'TASKS_ERROR_EXCEPTION_#256; Task not found or not accessible; 256/TE/ITEM_NOT_FOUND_OR_NOT_ACCESSIBLE',
    );
}

function requireFields(q: PhpArray): Record<string, unknown> {
    const fields = fieldsParam(q);
    if (!fields) throw new RestError('ERROR_CORE', 'Fields are not specified');
    return fields;
}

export function taskAdd(query: PhpArray, ctx: CallContext): MethodResult {
    const task = ctx.portal.changes.taskAdd(ctx.scope, requireFields(lowerKeys(query)));
    return ok({ task: taskOutput(task, ctx.portal.info.offsetMinutes) });
}

export function taskUpdate(query: PhpArray, ctx: CallContext): MethodResult {
    const q = lowerKeys(query);
    const task = ctx.portal.changes.taskUpdate(ctx.scope, idParam(q, 'taskId', 'id'), requireFields(q));
    if (!task) throw taskNotFound();
    return ok({ task: taskOutput(task, ctx.portal.info.offsetMinutes) });
}

/**
 * A deleted task, or one the user cannot see, is not an error here: the controller catches the
 * tasks module's exception and answers 200 `{"result":[]}` (docs/bitrix24.md §15.1).
 */
export function taskGet(query: PhpArray, ctx: CallContext): MethodResult {
    const task = ctx.portal.tasks.get(idParam(lowerKeys(query), 'taskId', 'id'));
    if (!task) return ok([]);
    return ok({ task: taskOutput(task, ctx.portal.info.offsetMinutes) });
}

export function taskDelete(query: PhpArray, ctx: CallContext): MethodResult {
    if (!ctx.portal.changes.taskDelete(ctx.scope, idParam(lowerKeys(query), 'taskId', 'id')))
        throw taskNotFound();
    return ok({ task: true });
}
