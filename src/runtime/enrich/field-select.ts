/**
 * Keeps only the chosen fields of an object. Names match across the two spellings Bitrix24 uses
 * (`STAGE_ID` in legacy methods and the editor, `stageId` in crm.item and tasks.task answers),
 * so one list serves every object type; the id is always kept.
 */
export function fieldSelector(select: string): (object: unknown) => unknown {
    const names = select
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean);
    if (names.length === 0 || names.includes('*')) return (object) => object;
    const wanted = new Set(['id', ...names.map(comparable)]);
    return (object) => {
        if (typeof object !== 'object' || object === null || Array.isArray(object)) return object;
        return Object.fromEntries(Object.entries(object).filter(([key]) => wanted.has(comparable(key))));
    };
}

function comparable(name: string): string {
    return name.replace(/_/g, '').toLowerCase();
}
