import assert from 'node:assert/strict';

import { DrainRotation } from '../../dist/runtime/app/drain-rotation';

/** A queue of `rows` rows read `batch` at a time; every batch is logged as `<key>:<rows left>`. */
function queueOf(key: string, rows: number, batch: number, log: string[]) {
    let left = rows;
    return async (): Promise<'more' | 'done'> => {
        await new Promise((resolve) => setImmediate(resolve));
        const read = Math.min(batch, left);
        left -= read;
        log.push(`${key}:${left}`);
        return read < batch ? 'done' : 'more';
    };
}

describe('DrainRotation', () => {
    it('finishes a queue of 5 rows after one batch of a queue of 500 rows, with one drain at a time', async () => {
        const rotation = new DrainRotation(1);
        const log: string[] = [];
        const finished: string[] = [];
        const busy = rotation.drain('busy', queueOf('busy', 500, 50, log)).then(() => finished.push('busy'));
        const small = rotation
            .drain('small', queueOf('small', 5, 50, log))
            .then(() => finished.push('small'));
        await Promise.all([busy, small]);
        assert.deepEqual(finished, ['small', 'busy']);
        assert.deepEqual(log.slice(0, 2), ['busy:450', 'small:0']);
    });

    it('reads every queue to its end, one batch per turn', async () => {
        const rotation = new DrainRotation(2);
        const log: string[] = [];
        await Promise.all([
            rotation.drain('a', queueOf('a', 120, 50, log)),
            rotation.drain('b', queueOf('b', 60, 50, log)),
            rotation.drain('c', queueOf('c', 10, 50, log)),
        ]);
        assert.deepEqual(
            log.filter((l) => l.endsWith(':0')),
            ['c:0', 'b:0', 'a:0'],
        );
        assert.equal(log.length, 3 + 2 + 1);
    });

    it('never runs more batches at once than its concurrency', async () => {
        const rotation = new DrainRotation(3);
        let running = 0;
        let most = 0;
        const step = (batches: number) => {
            let left = batches;
            return async (): Promise<'more' | 'done'> => {
                running++;
                most = Math.max(most, running);
                await new Promise((resolve) => setTimeout(resolve, 2));
                running--;
                return --left > 0 ? 'more' : 'done';
            };
        };
        await Promise.all(Array.from({ length: 10 }, (_, i) => rotation.drain(`p${i}`, step(3))));
        assert.equal(most, 3);
    });

    it('reads once more for a request that came while a batch was under way', async () => {
        const rotation = new DrainRotation(1);
        let batches = 0;
        let release: () => void = () => undefined;
        const step = async (): Promise<'more' | 'done'> => {
            batches++;
            if (batches === 1) await new Promise<void>((resolve) => (release = resolve));
            return 'done';
        };
        const first = rotation.drain('a', step);
        await new Promise((resolve) => setImmediate(resolve));
        const second = rotation.drain('a', step);
        release();
        await Promise.all([first, second]);
        assert.equal(batches, 2);
    });

    it('rejects the drain of a queue whose batch fails and goes on with the others', async () => {
        const rotation = new DrainRotation(1);
        const failing = rotation.drain('blocked', () => Promise.reject(new Error('PAYMENT_REQUIRED')));
        const other = rotation.drain('ok', () => Promise.resolve('done' as const));
        await assert.rejects(failing, /PAYMENT_REQUIRED/);
        await other;
        assert.equal(rotation.has('ok'), false);
    });
});
