/**
 * Keeps secrets out of every message, log line and status this package writes
 * (design: "Secrets"). Known secret values are replaced wherever they appear, and so are the
 * shapes secrets take when their value is not known: a webhook path and auth/token parameters.
 */
const MASK = '***';

const SECRET_SHAPES: [RegExp, string][] = [
    [/(\/rest\/\d+\/)[A-Za-z0-9_-]{4,}/g, `$1${MASK}`],
    [
        /((?:auth|access_token|refresh_token|application_token|client_secret)(?:\]|%5D)?["']?\s*[:=]\s*["']?)[A-Za-z0-9._~-]{6,}/gi,
        `$1${MASK}`,
    ],
    [/(Bearer\s+)[A-Za-z0-9._~-]{6,}/g, `$1${MASK}`],
];

export class Redactor {
    private readonly secrets = new Set<string>();

    /** Adds values to hide; short values are ignored so that ordinary words are never masked. */
    add(...values: (string | undefined | null)[]): this {
        for (const value of values) {
            if (typeof value === 'string' && value.length >= 6) this.secrets.add(value);
        }
        return this;
    }

    redact(text: string): string {
        let out = text;
        for (const secret of this.secrets) out = out.split(secret).join(MASK);
        for (const [shape, replacement] of SECRET_SHAPES) out = out.replace(shape, replacement);
        return out;
    }
}
