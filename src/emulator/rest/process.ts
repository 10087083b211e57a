// CRestServer::process for one call (docs/bitrix24.md §7-§9, per source classes/general/rest.php):
// find the method (404 before any auth check), authenticate, apply the operating-time budget
// (429), take `start` out of the parameters, run the method, wrap the answer in the envelope.
import type { RequestScope } from '../events/request-scope';
import { OperatingTime } from '../limits/operating-time';
import { intval, isset, type PhpArray } from '../php/values';
import type { Portal } from '../portal';
import { GLOBAL_SCOPE } from '../events/catalog';
import { resolveAuth, type WebhookPath } from './auth';
import { connectorOf, type AuthInfo, type CallContext, type MethodResult, type MethodSpec } from './context';
import { methodNotFound, oauthError, operationTimeLimit, restNotOnPlan, RestError } from './errors';
import { planHasRest } from '../store/features';
import { timeBlock } from './envelope';

export interface CallInput {
    method: string;
    query: PhpArray;
    authorization?: string;
    webhook?: WebhookPath;
    /** Set for batch sub-calls: the outer request's auth, applied to every command (docs/bitrix24.md §10). */
    batchAuth?: AuthInfo;
}

export interface CallReply {
    status: number;
    body: Record<string, unknown>;
    /** The authenticated app, for the X-Bitrix-Rest-Application header. */
    clientId: string | null;
    /** The simulated processing time, for batch's own `processing`. */
    processing: number;
}

export class RestProcessor {
    constructor(
        private readonly portal: Portal,
        private readonly methods: ReadonlyMap<string, MethodSpec>,
    ) {}

    call(input: CallInput, scope: RequestScope): CallReply {
        const startMs = this.portal.clock.nowMs();
        let clientId: string | null = null;
        try {
            const name = input.method.toLowerCase();
            const spec = this.methods.get(name);
            if (!spec) throw methodNotFound();
            // batch is not charged itself: its sub-calls are (its answer carries their processing).
            const isBatch = name === 'batch';

            const auth = input.batchAuth
                ? this.batchItemAuth(input.batchAuth, input.query, spec.scope)
                : resolveAuth(this.portal, input.query, spec.scope, input.authorization, input.webhook);
            if (auth instanceof RestError) throw auth;
            if (!this.portal.selfHosted && !planHasRest(this.portal.features.plan)) throw restNotOnPlan();
            clientId = auth.clientId;
            if (!input.batchAuth) {
                scope.actor = {
                    clientId: auth.clientId,
                    connector: connectorOf(auth),
                    userId: auth.userId,
                };
            }

            const operatingKey = OperatingTime.key(auth.type, auth.clientId ?? auth.passwordId ?? '', name);
            const nowSeconds = startMs / 1000;
            const operating = this.portal.operating;
            if (!isBatch && operating.isBlocked(operatingKey, nowSeconds, scope.times)) {
                this.portal.counters.status429++;
                throw operationTimeLimit();
            }

            let start = 0;
            if (isset(input.query, 'start')) start = intval(input.query.get('start'));
            input.query.delete('start');

            const ctx: CallContext = { portal: this.portal, auth, scope, start, method: name };
            const answer: MethodResult = spec.handler(input.query, ctx);
            const processing = answer.processing ?? this.portal.costOf(name);
            scope.times.add(operatingKey, nowSeconds, isBatch ? 0 : processing);

            const body: Record<string, unknown> = { result: answer.result };
            if (answer.next !== undefined) body.next = answer.next;
            if (answer.total !== undefined) body.total = answer.total;
            const finishSeconds = Math.max(nowSeconds + processing, this.portal.clock.nowMs() / 1000);
            body.time = timeBlock(
                nowSeconds,
                finishSeconds,
                processing,
                this.portal.info.offsetMinutes,
                operating.used(operatingKey, finishSeconds, scope.times),
                operating.resetAt(operatingKey, finishSeconds, scope.times),
            );
            return { status: 200, body, clientId, processing };
        } catch (error) {
            if (!(error instanceof RestError)) throw error;
            return { status: error.status, body: error.body(), clientId, processing: 0 };
        }
    }

    /** CRestServerBatchItem::checkAuth: strip the outer auth keys, check only the scope. */
    private batchItemAuth(outer: AuthInfo, query: PhpArray, methodScope: string): AuthInfo | RestError {
        for (const key of outer.authParams.keys()) query.delete(key);
        if (methodScope !== GLOBAL_SCOPE && !outer.scope.includes(methodScope)) {
            return oauthError('insufficient_scope', '');
        }
        return outer;
    }
}
