// A measurement, not a test: how long the application-token comparison takes for wrong tokens
// that differ early, late, or in length, beside a naive `===` for contrast. Nothing is asserted
// (timings depend on the machine); constant-time.spec.ts proves the property structurally.
// Run: npm run build && npx tsx test/security/timing.bench.ts
import { sameSecret } from '../../dist/runtime/trigger/ring-verifier';

const EXPECTED = 'apptoken-51856fefc0a2b3d4e5f60718293a4b5c'.repeat(8);
const ROUNDS = 21;
const PER_ROUND = 20_000;

const cases: Record<string, string> = {
    equal: EXPECTED,
    'first char differs': `#${EXPECTED.slice(1)}`,
    'last char differs': `${EXPECTED.slice(0, -1)}#`,
    'half length': EXPECTED.slice(0, EXPECTED.length / 2),
    'one character': 'a',
};

function naive(given: string, expected: string): boolean {
    return given === expected;
}

/** Median nanoseconds per comparison over ROUNDS rounds, cases interleaved to share the noise. */
function measure(compare: (given: string, expected: string) => boolean): Record<string, number> {
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
    let sink = 0;
    for (let round = 0; round < ROUNDS; round++) {
        for (const [name, given] of Object.entries(cases)) {
            const start = process.hrtime.bigint();
            for (let i = 0; i < PER_ROUND; i++) if (compare(given, EXPECTED)) sink++;
            samples[name].push(Number(process.hrtime.bigint() - start) / PER_ROUND);
        }
    }
    if (sink < 0) console.log(sink);
    return Object.fromEntries(
        Object.entries(samples).map(([name, values]) => {
            const sorted = [...values].sort((a, b) => a - b);
            return [name, Math.round(sorted[Math.floor(sorted.length / 2)] * 10) / 10];
        }),
    );
}

console.log(`token of ${EXPECTED.length} characters, median ns per comparison over ${ROUNDS} rounds`);
console.table({ sameSecret: measure(sameSecret), 'naive ===': measure(naive) });
