// Identifiers shaped like Bitrix's, and a seedable generator for fault injection.
import { randomBytes } from 'node:crypto';

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// One randomBytes() call per 4 KiB instead of one per identifier: the drain benchmark asks for
// a process id on every call.
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let poolOffset = 0;

function randomFrom(alphabet: string, length: number): string {
    if (poolOffset + length > POOL_SIZE) {
        pool = randomBytes(POOL_SIZE);
        poolOffset = 0;
    }
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[pool[poolOffset + i] % alphabet.length];
    poolOffset += length;
    return out;
}

/** Main\Security\Random::getString(32): 32 lowercase letters and digits (docs/bitrix24.md §1 process_id). */
export function randomProcessId(): string {
    return randomFrom(LOWER_ALNUM, 32);
}

/** OAuth tokens look like `s1morf609228iwyjjpvfv6wsvuja4p8u` (docs/bitrix24.md §7). */
export function randomToken(): string {
    return randomFrom(LOWER_ALNUM, 32);
}

export function randomHex(length: number): string {
    return randomBytes(Math.ceil(length / 2))
        .toString('hex')
        .slice(0, length);
}

export function randomSecret(length: number): string {
    return randomFrom(ALNUM, length);
}

export function randomLowerAlnum(length: number): string {
    return randomFrom(LOWER_ALNUM, length);
}

/** mulberry32: a tiny deterministic PRNG so fault shares can be reproduced with a seed. */
export function seededRandom(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
