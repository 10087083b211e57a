// A filter of crm.item.list / crm.deal.list style: the key is an operator prefix and a field
// (`>id`, `=stageId`, `%title`, `@id`, `!=stageId`); a list value means IN.
import { parseIso } from '../php/datetime';
import { isPhpArray, strval, textOf, type PhpValue } from '../php/values';

const OPERATOR = /^(!@|!=|!%|>=|<=|=%|%=|[=!<>@%]?)(.*)$/s;

export interface ItemCondition {
    operator: string;
    field: string;
    value: PhpValue;
}

export function parseItemFilter(
    filter: PhpValue | undefined,
    mapField: (name: string) => string,
): ItemCondition[] {
    if (!isPhpArray(filter)) return [];
    const conditions: ItemCondition[] = [];
    for (const [key, value] of filter) {
        const match = OPERATOR.exec(key);
        conditions.push({ operator: match?.[1] ?? '', field: mapField(match?.[2] ?? key), value });
    }
    return conditions;
}

type Comparable = number | string;

function comparable(value: unknown, timeField: boolean, offsetMinutes: number): Comparable {
    if (timeField && typeof value === 'string') return parseIso(value, offsetMinutes) ?? value;
    if (typeof value === 'number') return value;
    const text = textOf(value);
    return /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text.toLowerCase();
}

function compare(a: Comparable, b: Comparable): number {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    const left = String(a);
    const right = String(b);
    return left < right ? -1 : left > right ? 1 : 0;
}

function matchOne(actual: Comparable, operator: string, expected: Comparable): boolean {
    switch (operator) {
        case '>':
            return compare(actual, expected) > 0;
        case '>=':
            return compare(actual, expected) >= 0;
        case '<':
            return compare(actual, expected) < 0;
        case '<=':
            return compare(actual, expected) <= 0;
        case '!':
        case '!=':
            return compare(actual, expected) !== 0;
        case '%':
        case '=%':
        case '%=':
            return String(actual).includes(String(expected));
        case '!%':
            return !String(actual).includes(String(expected));
        default:
            return compare(actual, expected) === 0;
    }
}

export function itemMatches(
    read: (field: string) => unknown,
    conditions: readonly ItemCondition[],
    timeFields: ReadonlySet<string>,
    offsetMinutes: number,
): boolean {
    return conditions.every((condition) => {
        const isTime = timeFields.has(condition.field);
        const actual = comparable(read(condition.field), false, offsetMinutes);
        const values = isPhpArray(condition.value) ? [...condition.value.values()] : [condition.value];
        const expected = values.map((value) => comparable(strval(value), isTime, offsetMinutes));
        if (condition.operator === '!@') return expected.every((value) => compare(actual, value) !== 0);
        if (condition.operator === '@' || values.length > 1 || isPhpArray(condition.value)) {
            if (condition.operator === '!' || condition.operator === '!=') {
                return expected.every((value) => compare(actual, value) !== 0);
            }
            return expected.some((value) =>
                matchOne(actual, condition.operator === '@' ? '=' : condition.operator, value),
            );
        }
        return matchOne(actual, condition.operator, expected[0]);
    });
}
