// `batch` (docs/bitrix24.md §10, per source CRestProvider::methodsBatch and CRestUtil::ParseBatchQuery):
// up to 50 commands, run in key order; each command string is parsed like PHP's parse_str and its
// `$result[key][path]` references are resolved against earlier answers; the outer auth (and
// auth_connector) applies to every command; empty sections come back as [].
import { phpArrayToJson } from '../php/json-encode';
import { parseStr } from '../php/parse-str';
import {
    boolval,
    changeKeyCase,
    fromPlain,
    isPhpArray,
    isset,
    strval,
    type PhpArray,
    type PhpValue,
} from '../php/values';
import type { CallContext, MethodResult } from './context';
import { RestError } from './errors';
import type { RestProcessor } from './process';

const BATCH_MAX_LENGTH = 50;
const NOT_ALLOWED = ['download', 'upload', 'batch'];

/** The five answer sections, keyed by command key (Maps, so that empty ones encode as []). */
interface Sections {
    result: Map<string, unknown>;
    next: Map<string, unknown>;
    total: Map<string, unknown>;
    time: Map<string, unknown>;
    error: Map<string, unknown>;
}

export function batchMethod(processor: () => RestProcessor) {
    return (query: PhpArray, ctx: CallContext): MethodResult => {
        const q = changeKeyCase(query, 'upper');
        // (bool) $arQuery['HALT']: "0" and "" are false, any other string (even "false") is true.
        const halt = isset(q, 'HALT') ? boolval(q.get('HALT')) : false;
        const sections: Sections = {
            result: new Map(),
            next: new Map(),
            total: new Map(),
            time: new Map(),
            error: new Map(),
        };
        let processing = 0;
        const commands = q.get('CMD');
        if (isPhpArray(commands)) {
            let count = 0;
            for (const [key, call] of commands) {
                let reply: { status: number; body: Record<string, unknown>; processing: number };
                if (count++ < BATCH_MAX_LENGTH) {
                    if (typeof call !== 'string') continue;
                    const [path, rest] = splitCall(call);
                    const params = parseBatchQuery(rest, sections);
                    if (NOT_ALLOWED.includes(path.toLowerCase())) {
                        // rest 24.0.0+: no batch inside batch; upload/download never (docs/bitrix24.md §10).
                        reply = errorReply(
                            'ERROR_BATCH_METHOD_NOT_ALLOWED',
                            'Method is not allowed for batch usage',
                        );
                    } else {
                        for (const [authKey, authValue] of ctx.auth.authParams)
                            params.set(authKey, authValue);
                        reply = runCommand(processor(), path, params, ctx);
                        ctx.portal.counters.batchSubCalls++;
                        ctx.portal.counters.countMethod(path.toLowerCase());
                    }
                } else {
                    reply = errorReply('ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded');
                }
                processing += reply.processing;
                record(sections, key, reply.body);
                const failed = reply.body.error;
                // `$res['error'] && $bHalt`: an empty error code (legacy CRM methods) does not halt.
                if (failed !== undefined && failed !== '' && failed !== null && halt) break;
            }
        }
        return {
            result: {
                result: phpArrayToJson(sections.result),
                result_error: phpArrayToJson(sections.error),
                result_total: phpArrayToJson(sections.total),
                result_next: phpArrayToJson(sections.next),
                result_time: phpArrayToJson(sections.time),
            },
            processing,
        };
    };
}

function runCommand(processor: RestProcessor, path: string, params: PhpArray, ctx: CallContext) {
    // The source tries the lower-cased name, then the name as written; our names are all lower case.
    return processor.call({ method: path, query: params, batchAuth: ctx.auth }, ctx.scope);
}

function errorReply(code: string, description: string) {
    return {
        status: 400,
        body: new RestError(code, description).body(),
        processing: 0,
    };
}

/** `foreach ($res as $k => $v) $arResult[$k][$key] = $v;` with the error body under 'error'. */
function record(sections: Sections, key: string, body: Record<string, unknown>): void {
    if (body.error !== undefined) {
        sections.error.set(key, body);
        return;
    }
    sections.result.set(key, body.result);
    if (body.next !== undefined) sections.next.set(key, body.next);
    if (body.total !== undefined) sections.total.set(key, body.total);
    if (body.time !== undefined) sections.time.set(key, body.time);
}

/** parse_url: the path is the method, the query (before any '#') its parameters. */
function splitCall(call: string): [string, string] {
    const withoutFragment = call.split('#')[0];
    const mark = withoutFragment.indexOf('?');
    return mark < 0
        ? [withoutFragment, '']
        : [withoutFragment.slice(0, mark), withoutFragment.slice(mark + 1)];
}

/** CRestUtil::ParseBatchQuery: parse_str, then resolve references in keys and values. */
function parseBatchQuery(query: string, sections: Sections): PhpArray {
    if (query === '') return new Map();
    return resolveStructure(parseStr(query), sections);
}

function resolveStructure(params: PhpArray, sections: Sections): PhpArray {
    const resolved: PhpArray = new Map();
    for (const [key, value] of params) {
        // Keys are resolved with an empty key list in the source; only values see $result etc.
        resolved.set(
            key,
            isPhpArray(value) ? resolveStructure(value, sections) : resolveElement(value, sections),
        );
    }
    return resolved;
}

/** processBatchElement: `$(result|next|total|time|error)[a][b]...` up to the next whitespace. A
 * reference that is the whole value is replaced by what it points at (possibly an array); inside a
 * longer string it is replaced by its text, and whatever follows it up to whitespace is lost. */
function resolveElement(value: PhpValue, sections: Sections): PhpValue {
    if (typeof value !== 'string' || !value.includes('$')) return value;
    const pattern = /\$(result|next|total|time|error)(\S*)/gi;
    let output: PhpValue = value;
    for (const match of value.matchAll(pattern)) {
        const whole = match[0];
        const path = [...match[2].matchAll(/\[([^\]]+)\]/g)].map((part) => part[1]);
        if (path.length === 0) continue;
        let target: unknown = sections[match[1].toLowerCase() as keyof Sections];
        for (const step of path) {
            const next = lookup(target, step);
            if (next === undefined || next === null) break;
            target = next;
        }
        if (whole === value) output = fromPlain(target);
        else if (typeof output === 'string') output = output.split(whole).join(phpString(target));
    }
    return output;
}

function lookup(container: unknown, key: string): unknown {
    if (isPhpArray(container)) return container.get(key);
    if (Array.isArray(container)) return (container as unknown[])[Number(key)];
    if (container !== null && typeof container === 'object')
        return (container as Record<string, unknown>)[key];
    return undefined;
}

function phpString(value: unknown): string {
    if (value === null || value === undefined) return '';
    if (typeof value === 'object') return 'Array';
    return strval(value as PhpValue);
}
