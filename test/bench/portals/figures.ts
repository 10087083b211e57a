/** The value at quantile q (0..1) of `values`, nearest rank; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
    if (values.length === 0) return NaN;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function round(value: number, digits = 2): number {
    const scale = 10 ** digits;
    return Math.round(value * scale) / scale;
}

/** One line of the summary: what was measured, its unit, the target, and whether it was met. */
export interface Figure {
    value: number;
    unit: string;
    target: string;
    met: boolean | null;
}

export function figure(value: number, unit: string, target?: { max: number }): Figure {
    const rounded = round(value);
    if (!target) return { value: rounded, unit, target: 'printed', met: null };
    return {
        value: rounded,
        unit,
        target: `<= ${target.max}`,
        met: Number.isFinite(value) && value <= target.max,
    };
}
