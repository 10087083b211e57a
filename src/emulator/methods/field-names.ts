// Field-name conversions between crm.item / tasks.task answers (camelCase) and the legacy and
// task-input names (UPPER_CASE).

/** Legacy CRM names whose camelCase twin is not their plain conversion. */
const LEGACY_TO_ITEM: Record<string, string> = {
    ID: 'id',
    DATE_CREATE: 'createdTime',
    DATE_MODIFY: 'updatedTime',
    CREATED_BY_ID: 'createdBy',
    MODIFY_BY_ID: 'updatedBy',
};
const ITEM_TO_LEGACY = Object.fromEntries(
    Object.entries(LEGACY_TO_ITEM).map(([upper, camel]) => [camel, upper]),
);

export function upperToCamel(name: string): string {
    const parts = name
        .toLowerCase()
        .split('_')
        .filter((part) => part !== '');
    return parts.map((part, index) => (index === 0 ? part : part[0].toUpperCase() + part.slice(1))).join('');
}

export function camelToUpper(name: string): string {
    return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

export function legacyToItemField(name: string): string {
    const upper = name.toUpperCase();
    return LEGACY_TO_ITEM[upper] ?? upperToCamel(upper);
}

export function itemToLegacyField(name: string): string {
    return ITEM_TO_LEGACY[name] ?? camelToUpper(name);
}
