// CRM items by entity type (1 lead, 2 deal, 3 contact, 4 company, 7 quote, smart processes),
// stored with crm.item's camelCase field names; the legacy crm.deal.* / crm.contact.* methods map
// their UPPER_CASE names onto them.

export const ENTITY_LEAD = 1;
export const ENTITY_DEAL = 2;
export const ENTITY_CONTACT = 3;
export const ENTITY_COMPANY = 4;
export const ENTITY_QUOTE = 7;
const SYSTEM_TYPES = [ENTITY_LEAD, ENTITY_DEAL, ENTITY_CONTACT, ENTITY_COMPANY, ENTITY_QUOTE];

export interface CrmItem {
    id: number;
    entityTypeId: number;
    createdTime: number;
    updatedTime: number;
    createdBy: number;
    updatedBy: number;
    fields: Record<string, unknown>;
}

const DEFAULTS: Record<number, Record<string, unknown>> = {
    [ENTITY_LEAD]: { title: '', stageId: 'NEW', opportunity: 0, currencyId: 'USD' },
    [ENTITY_DEAL]: { title: '', categoryId: 0, stageId: 'NEW', opportunity: 0, currencyId: 'USD' },
    [ENTITY_CONTACT]: { name: '', lastName: '' },
    [ENTITY_COMPANY]: { title: '' },
    [ENTITY_QUOTE]: { title: '', stageId: 'DRAFT', opportunity: 0, currencyId: 'USD' },
};

/** Fields held as numbers whatever the client sent ("5" from a form becomes 5). */
export const NUMERIC_FIELDS = new Set([
    'opportunity',
    'categoryId',
    'assignedById',
    'companyId',
    'contactId',
]);

export class CrmStore {
    private readonly items = new Map<number, Map<number, CrmItem>>();
    private readonly nextIds = new Map<number, number>();

    constructor(smartProcessTypes: readonly number[]) {
        for (const typeId of [...SYSTEM_TYPES, ...smartProcessTypes]) this.addType(typeId);
    }

    addType(entityTypeId: number): void {
        if (!this.items.has(entityTypeId)) this.items.set(entityTypeId, new Map());
    }

    hasType(entityTypeId: number): boolean {
        return this.items.has(entityTypeId);
    }

    add(entityTypeId: number, fields: Record<string, unknown>, userId: number, now: number): CrmItem {
        const id = this.nextIds.get(entityTypeId) ?? 1;
        this.nextIds.set(entityTypeId, id + 1);
        const item: CrmItem = {
            id,
            entityTypeId,
            createdTime: now,
            updatedTime: now,
            createdBy: userId,
            updatedBy: userId,
            fields: {
                ...(DEFAULTS[entityTypeId] ?? { title: '', categoryId: 0, stageId: 'NEW' }),
                assignedById: userId,
                ...normalize(fields),
            },
        };
        this.table(entityTypeId).set(id, item);
        return item;
    }

    update(
        entityTypeId: number,
        id: number,
        fields: Record<string, unknown>,
        userId: number,
        now: number,
    ): CrmItem | undefined {
        const item = this.get(entityTypeId, id);
        if (!item) return undefined;
        Object.assign(item.fields, normalize(fields));
        item.updatedTime = now;
        item.updatedBy = userId;
        return item;
    }

    delete(entityTypeId: number, id: number): boolean {
        return this.table(entityTypeId).delete(id);
    }

    get(entityTypeId: number, id: number): CrmItem | undefined {
        return this.items.get(entityTypeId)?.get(id);
    }

    list(entityTypeId: number): CrmItem[] {
        return [...this.table(entityTypeId).values()];
    }

    private table(entityTypeId: number): Map<number, CrmItem> {
        let table = this.items.get(entityTypeId);
        if (!table) {
            table = new Map();
            this.items.set(entityTypeId, table);
        }
        return table;
    }
}

const READ_ONLY = new Set(['id', 'entityTypeId', 'createdTime', 'updatedTime', 'createdBy', 'updatedBy']);

function normalize(fields: Record<string, unknown>): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const key in fields) {
        const value = fields[key];
        if (READ_ONLY.has(key)) continue;
        result[key] =
            NUMERIC_FIELDS.has(key) && typeof value === 'string' && value.trim() !== ''
                ? Number(value) || 0
                : value;
    }
    return result;
}
