import assert from 'node:assert/strict';

import { PollBackoff, type PollClock } from '../../dist/runtime/app/poll-backoff';

/** A clock that moves only when told, with the timers it holds. */
class ManualClock implements PollClock {
    time = 0;
    timers = new Map<number, { at: number; fire: () => void }>();
    private nextId = 1;

    now(): number {
        return this.time;
    }

    setTimeout(fire: () => void, ms: number): unknown {
        const id = this.nextId++;
        this.timers.set(id, { at: this.time + ms, fire });
        return id;
    }

    clearTimeout(handle: unknown): void {
        this.timers.delete(handle as number);
    }

    /** Moves to `until`, firing each timer at its time. */
    advance(until: number): void {
        for (;;) {
            const next = [...this.timers.entries()].sort((a, b) => a[1].at - b[1].at)[0];
            if (!next || next[1].at > until) break;
            this.timers.delete(next[0]);
            this.time = next[1].at;
            next[1].fire();
        }
        this.time = until;
    }
}

const S = 1000;

describe('PollBackoff', () => {
    it('polls an idle installation after 60, 120, 240, 480 s, then every 900 s', () => {
        const clock = new ManualClock();
        const polls: number[] = [];
        const backoff = new PollBackoff(60 * S, () => polls.push(clock.now() / S), undefined, clock);
        backoff.reset('a');
        clock.advance(4000 * S);
        assert.deepEqual(polls.slice(0, 7), [60, 180, 420, 900, 1800, 2700, 3600]);
    });

    it('goes back to the base interval after a ring or rows found', () => {
        const clock = new ManualClock();
        const polls: number[] = [];
        const backoff = new PollBackoff(60 * S, () => polls.push(clock.now() / S), undefined, clock);
        backoff.reset('a');
        clock.advance(500 * S);
        assert.deepEqual(polls, [60, 180, 420]);
        backoff.reset('a');
        clock.advance(700 * S);
        assert.deepEqual(polls, [60, 180, 420, 560, 680]);
    });

    it('polls a fresh installation whose doorbell is bound every 900 s: 4 polls an hour from the first', () => {
        const clock = new ManualClock();
        const polls: number[] = [];
        const backoff = new PollBackoff(60 * S, () => polls.push(clock.now() / S), undefined, clock);
        backoff.startIdle('a');
        clock.advance(3600 * S);
        assert.deepEqual(polls, [900, 1800, 2700, 3600]);
    });

    it('brings a fresh installation back to the base interval after a ring', () => {
        const clock = new ManualClock();
        const polls: number[] = [];
        const backoff = new PollBackoff(60 * S, () => polls.push(clock.now() / S), undefined, clock);
        backoff.startIdle('a');
        clock.advance(100 * S);
        backoff.reset('a');
        clock.advance(400 * S);
        assert.deepEqual(polls, [160, 280]);
    });

    it('holds one timer however many installations it polls', () => {
        const clock = new ManualClock();
        const backoff = new PollBackoff(60 * S, () => undefined, undefined, clock);
        for (let i = 0; i < 1000; i++) {
            clock.time = i;
            backoff.reset(`p${i}`);
        }
        clock.advance(5000 * S);
        assert.equal(clock.timers.size, 1);
    });

    it('does not poll with a base interval of 0', () => {
        const clock = new ManualClock();
        const polls: string[] = [];
        const backoff = new PollBackoff(0, (key) => polls.push(key), undefined, clock);
        backoff.reset('a');
        clock.advance(10_000 * S);
        assert.deepEqual(polls, []);
        assert.equal(clock.timers.size, 0);
    });

    it('stops polling a removed installation', () => {
        const clock = new ManualClock();
        const polls: string[] = [];
        const backoff = new PollBackoff(60 * S, (key) => polls.push(key), undefined, clock);
        backoff.reset('a');
        backoff.reset('b');
        backoff.remove('a');
        clock.advance(61 * S);
        assert.deepEqual(polls, ['b']);
    });
});
