// Filters and orders of event.offline.get / event.offline.list (docs/bitrix24.md §1, §4, per source
// IRestService::sanitizeFilter/sanitizeOrder, Api\Event::sanitizeFilter, EventOfflineTable::markEvents).
import { parseIso } from '../php/datetime';
import { changeKeyCase, intval, isPhpArray, strval, type PhpArray, type PhpValue } from '../php/values';
import { ORDER_BY_TIMESTAMP, type RowFilter, type RowOrder } from '../queue/offline-queue';
import type { OfflineRow } from '../queue/offline-row';
import { argumentError, argumentType, RestError, restArgument } from '../rest/errors';

export const GET_FIELDS = ['ID', 'TIMESTAMP_X', 'EVENT_NAME', 'MESSAGE_ID'];
export const LIST_FIELDS = [...GET_FIELDS, 'PROCESS_ID', 'ERROR'];
const OPERATIONS = ['', '=', '>', '<', '>=', '<=', '@', '%'];
/** Operators the ORM's ConditionTree::where accepts; `markEvents` passes the prefix to it as is. */
const WHERE_OPERATORS = ['=', '<>', '!=', '<', '<=', '>', '>='];

export interface FilterCondition {
    key: string;
    operation: string;
    field: string;
    /** For TIMESTAMP_X: unix seconds (the source turns the ISO string into a DateTime object). */
    value: PhpValue;
}

/** IRestService::sanitizeFilter with the event API's field list and TIMESTAMP_X conversion. */
export function sanitizeFilter(
    filter: PhpValue | undefined,
    fields: readonly string[],
    offsetMinutes: number,
): FilterCondition[] {
    if (!isPhpArray(filter)) throw restArgument('The filter is not an array.');
    const conditions = new Map<string, FilterCondition>();
    for (const [key, raw] of changeKeyCase(filter, 'upper')) {
        const match = /^([^a-zA-Z]*)(.*)$/s.exec(key);
        const operation = match?.[1] ?? '';
        const field = match?.[2] ?? '';
        if (!OPERATIONS.includes(operation)) throw restArgument('Filter operation not allowed: ' + operation);
        if (!fields.includes(field)) throw restArgument('Filter field not allowed: ' + field);
        const value = field === 'TIMESTAMP_X' ? toTimestamp(raw, offsetMinutes) : raw;
        conditions.set(operation + field, { key: operation + field, operation, field, value });
    }
    return [...conditions.values()];
}

function toTimestamp(value: PhpValue, offsetMinutes: number): PhpValue {
    if (isPhpArray(value)) {
        const converted: PhpArray = new Map();
        for (const [key, item] of value) converted.set(key, toTimestamp(item, offsetMinutes));
        return converted;
    }
    const seconds = parseIso(strval(value), offsetMinutes);
    // DateTime::createFromUserTime throws ObjectException, reported as a 400 with its message.
    if (seconds === null) throw new RestError('ERROR_CORE', `Incorrect date/time: ${strval(value)}`, 400);
    return seconds;
}

/** EventOfflineTable::markEvents feeds every condition to ConditionTree::where: values must be
 * scalars (a TIMESTAMP_X value is a DateTime object by then, so it fails too, per source), and
 * only the ORM's comparison operators exist there (`@` and `%` are "Unknown operator"). */
export function checkReservationFilter(conditions: readonly FilterCondition[]): void {
    for (const condition of conditions) {
        if (isPhpArray(condition.value) || condition.field === 'TIMESTAMP_X')
            throw argumentType(condition.key);
        const operation = condition.operation === '' ? '=' : condition.operation;
        if (!WHERE_OPERATORS.includes(operation))
            throw argumentError(`Unknown operator \`${operation}\``, '');
    }
}

type Comparable = number | string;

function columnOf(row: OfflineRow, field: string): Comparable {
    switch (field) {
        case 'ID':
            return row.id;
        case 'TIMESTAMP_X':
            return row.ts;
        case 'EVENT_NAME':
            return row.eventName;
        case 'MESSAGE_ID':
            return row.messageId;
        case 'PROCESS_ID':
            return row.processId;
        default:
            return row.error;
    }
}

const NUMERIC_FIELDS = ['ID', 'TIMESTAMP_X', 'ERROR'];

/** The filter value as MySQL compares it with the column: ints for int columns, text otherwise. */
function operand(field: string, value: PhpValue): Comparable {
    if (field === 'TIMESTAMP_X') return typeof value === 'number' ? value : intval(value);
    if (NUMERIC_FIELDS.includes(field)) return intval(value);
    return strval(value);
}

/** MySQL's default collation compares text case-insensitively. */
function compare(a: Comparable, b: Comparable): number {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    const left = String(a).toLowerCase();
    const right = String(b).toLowerCase();
    return left < right ? -1 : left > right ? 1 : 0;
}

function test(column: Comparable, operation: string, field: string, value: PhpValue): boolean {
    if (isPhpArray(value)) {
        // The ORM's array filter: a list means IN for equality and `@`, any-of for the others.
        const values = [...value.values()];
        if (operation === '' || operation === '=' || operation === '@') {
            return values.some((item) => compare(column, operand(field, item)) === 0);
        }
        return values.some((item) => test(column, operation, field, item));
    }
    const right = operand(field, value);
    switch (operation) {
        case '>':
            return compare(column, right) > 0;
        case '<':
            return compare(column, right) < 0;
        case '>=':
            return compare(column, right) >= 0;
        case '<=':
            return compare(column, right) <= 0;
        case '%':
            return String(column).toLowerCase().includes(String(right).toLowerCase());
        default:
            return compare(column, right) === 0;
    }
}

export function rowFilter(conditions: readonly FilterCondition[]): RowFilter {
    if (conditions.length === 0) return () => true;
    return (row) => conditions.every((c) => test(columnOf(row, c.field), c.operation, c.field, c.value));
}

export interface OrderTerm {
    field: string;
    descending: boolean;
}

/** IRestService::sanitizeOrder: known fields only, directions ASC or DESC (any case). */
export function sanitizeOrder(order: PhpValue | undefined, fields: readonly string[]): OrderTerm[] {
    if (!isPhpArray(order)) throw restArgument('The order is not an array.');
    const terms: OrderTerm[] = [];
    for (const [key, value] of changeKeyCase(order, 'upper')) {
        if (/^-?\d+$/.test(key)) {
            const field = strval(value);
            if (!fields.includes(field)) throw restArgument('Order field not allowed: ' + field);
            terms.push({ field, descending: false });
            continue;
        }
        if (!fields.includes(key)) throw restArgument('Order field not allowed: ' + key);
        const direction = strval(value).toUpperCase();
        if (direction !== 'ASC' && direction !== 'DESC') {
            throw restArgument('Order direction should be one of {ASC|DESC}');
        }
        terms.push({ field: key, descending: direction === 'DESC' });
    }
    return terms;
}

/** The comparator for an ORDER BY; ties end in ID order. TIMESTAMP_X ASC uses the sorted index. */
export function rowOrder(terms: readonly OrderTerm[]): RowOrder {
    const first = terms[0];
    if (
        first?.field === 'TIMESTAMP_X' &&
        !first.descending &&
        (terms.length === 1 || (terms.length === 2 && terms[1].field === 'ID' && !terms[1].descending))
    ) {
        return ORDER_BY_TIMESTAMP;
    }
    return (a, b) => {
        for (const term of terms) {
            const result = compare(columnOf(a, term.field), columnOf(b, term.field));
            if (result !== 0) return term.descending ? -result : result;
        }
        return a.id - b.id;
    };
}
