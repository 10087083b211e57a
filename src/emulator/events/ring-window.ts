// EventOfflineTable::checkSendTime (docs/bitrix24.md §6): with minTimeout N > 0 the first ring opens an
// N-second window per handler (cache key: handler id and N) and rings inside it are dropped, not
// deferred; with N = 0 (or less) at most one ring goes out per request. Default N = 1.
import type { Clock } from '../clock';
import type { Binding } from './bindings';
import type { RequestScope } from './request-scope';

const DEFAULT_TIMEOUT = 1;

export class RingWindow {
    private readonly openUntil = new Map<string, number>();

    constructor(private readonly clock: Clock) {}

    allow(binding: Binding, scope: RequestScope): boolean {
        const option = binding.options.minTimeout;
        const timeout = option === undefined ? DEFAULT_TIMEOUT : Math.trunc(Number(option));
        if (timeout > 0) {
            const key = `${binding.id}|${timeout}`;
            const now = this.clock.nowMs();
            const until = this.openUntil.get(key);
            if (until !== undefined && until > now) return false;
            this.openUntil.set(key, now + timeout * 1000);
            return true;
        }
        if (scope.offlineEventSent) return false;
        scope.offlineEventSent = true;
        return true;
    }
}
