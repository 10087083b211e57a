// Tasks, stored with the UPPER_CASE names tasks.task.add takes; tasks.task.get answers in camelCase.

export interface Task {
    id: number;
    createdDate: number;
    changedDate: number;
    createdBy: number;
    fields: Record<string, unknown>;
}

export class TaskStore {
    private readonly tasks = new Map<number, Task>();
    private nextId = 1;

    add(fields: Record<string, unknown>, userId: number, now: number): Task {
        const task: Task = {
            id: this.nextId++,
            createdDate: now,
            changedDate: now,
            createdBy: userId,
            fields: { TITLE: '', DESCRIPTION: '', RESPONSIBLE_ID: userId, STATUS: '2', ...clean(fields) },
        };
        this.tasks.set(task.id, task);
        return task;
    }

    update(id: number, fields: Record<string, unknown>, now: number): Task | undefined {
        const task = this.tasks.get(id);
        if (!task) return undefined;
        Object.assign(task.fields, clean(fields));
        task.changedDate = now;
        return task;
    }

    delete(id: number): boolean {
        return this.tasks.delete(id);
    }

    get(id: number): Task | undefined {
        return this.tasks.get(id);
    }
}

function clean(fields: Record<string, unknown>): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) {
        const upper = key.toUpperCase();
        if (['ID', 'CREATED_DATE', 'CHANGED_DATE', 'CREATED_BY'].includes(upper)) continue;
        result[upper] = value;
    }
    return result;
}
