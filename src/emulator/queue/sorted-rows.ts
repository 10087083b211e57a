// Rows kept sorted by (TIMESTAMP_X, ID) in chunks of bounded size, so that taking the oldest N,
// inserting a refreshed row and removing a reserved one cost O(log n + chunk), not O(n). This is
// the structure that lets `event.offline.get` drain 100,000 rows without scanning the queue.
import { compareTimestampThenId, type OfflineRow } from './offline-row';

const MAX_CHUNK = 512;

export class SortedRows {
    private chunks: OfflineRow[][] = [];
    private count = 0;

    get size(): number {
        return this.count;
    }

    insert(row: OfflineRow): void {
        this.count++;
        if (this.chunks.length === 0) {
            this.chunks.push([row]);
            return;
        }
        const chunkIndex = Math.min(this.findChunk(row), this.chunks.length - 1);
        const chunk = this.chunks[chunkIndex];
        chunk.splice(lowerBound(chunk, row), 0, row);
        if (chunk.length > MAX_CHUNK * 2) {
            this.chunks.splice(chunkIndex, 1, chunk.slice(0, MAX_CHUNK), chunk.slice(MAX_CHUNK));
        }
    }

    /** Removes the row; it must still carry the TIMESTAMP_X it was inserted with. */
    remove(row: OfflineRow): boolean {
        const chunkIndex = this.findChunk(row);
        const chunk = this.chunks[chunkIndex];
        if (!chunk) return false;
        const pos = lowerBound(chunk, row);
        if (chunk[pos] !== row) return false;
        chunk.splice(pos, 1);
        if (chunk.length === 0) this.chunks.splice(chunkIndex, 1);
        this.count--;
        return true;
    }

    *[Symbol.iterator](): IterableIterator<OfflineRow> {
        for (const chunk of this.chunks) yield* chunk;
    }

    /** The first `limit` rows (in order) that pass `accept`. */
    take(limit: number, accept: (row: OfflineRow) => boolean): OfflineRow[] {
        const picked: OfflineRow[] = [];
        if (limit <= 0) return picked;
        for (const chunk of this.chunks) {
            for (const row of chunk) {
                if (!accept(row)) continue;
                picked.push(row);
                if (picked.length >= limit) return picked;
            }
        }
        return picked;
    }

    /** Index of the first chunk whose last row is >= row (chunks.length when none). */
    private findChunk(row: OfflineRow): number {
        let low = 0;
        let high = this.chunks.length;
        while (low < high) {
            const mid = (low + high) >>> 1;
            const chunk = this.chunks[mid];
            if (compareTimestampThenId(chunk[chunk.length - 1], row) < 0) low = mid + 1;
            else high = mid;
        }
        return low;
    }
}

function lowerBound(chunk: OfflineRow[], row: OfflineRow): number {
    let low = 0;
    let high = chunk.length;
    while (low < high) {
        const mid = (low + high) >>> 1;
        if (compareTimestampThenId(chunk[mid], row) < 0) low = mid + 1;
        else high = mid;
    }
    return low;
}
