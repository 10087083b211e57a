/**
 * The secret grep of issue 7: every output of the runtime is searched for every secret value in
 * play. A text can only hold a secret the runtime was given before the text was made, and the
 * emulator runs in this process, so texts are scanned as they arrive against the secrets known
 * at that moment (the emulator's token list is read again before each scan); files and admin API
 * answers are scanned at the end against all of them.
 */

const ALNUM_RUN = /[A-Za-z0-9]+/g;

export type SecretKind =
    'clientSecret' | 'applicationToken' | 'webhookSecret' | 'accessToken' | 'refreshToken';

export interface Finding {
    kind: SecretKind;
    source: string;
    /** Where in the source: a file name, a URL, a line number. */
    where: string;
}

export interface ScanSummary {
    secretsFound: number;
    /** How many distinct secret values were looked for, by kind. */
    secrets: Record<SecretKind, number>;
    /** What was scanned: items and bytes per source. */
    scanned: Record<string, { items: number; bytes: number }>;
    findings: Finding[];
}

export class SecretScanner {
    /** value -> kind; values grouped by length for a sliding-window search. */
    private readonly kinds = new Map<string, SecretKind>();
    private readonly lengths = new Map<number, Set<string>>();
    private readonly pending: { source: string; where: string; text: string }[] = [];
    private readonly scanned = new Map<string, { items: number; bytes: number }>();
    private readonly findings: Finding[] = [];
    private timer: NodeJS.Timeout | undefined;

    /** `refresh` adds the secrets issued since the last call (the emulator's token list). */
    constructor(private readonly refresh: (scanner: SecretScanner) => void = () => undefined) {}

    add(kind: SecretKind, value: string | undefined): void {
        if (!value || this.kinds.has(value)) return;
        if (value.length < 8)
            throw new Error(`a ${kind} of ${value.length} characters is too short to grep for`);
        if (!/^[A-Za-z0-9]+$/.test(value))
            throw new Error(`a ${kind} with other characters than letters and digits`);
        this.kinds.set(value, kind);
        const set = this.lengths.get(value.length) ?? new Set<string>();
        set.add(value);
        this.lengths.set(value.length, set);
    }

    /** Queues a text; it is scanned within a second (or at flush). */
    text(source: string, text: string, where = ''): void {
        this.pending.push({ source, where, text });
        this.timer ??= setTimeout(() => {
            this.timer = undefined;
            this.flush();
        }, 1000);
    }

    /** Scans now (files and answers read at the end). */
    scanNow(source: string, text: string, where = ''): void {
        this.flush();
        this.scan(source, text, where);
    }

    flush(): void {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.refresh(this);
        for (const item of this.pending.splice(0)) this.scan(item.source, item.text, item.where);
    }

    summary(): ScanSummary {
        this.flush();
        const secrets: Record<SecretKind, number> = {
            clientSecret: 0,
            applicationToken: 0,
            webhookSecret: 0,
            accessToken: 0,
            refreshToken: 0,
        };
        for (const kind of this.kinds.values()) secrets[kind]++;
        return {
            secretsFound: this.findings.length,
            secrets,
            scanned: Object.fromEntries(this.scanned),
            findings: this.findings.slice(0, 50),
        };
    }

    /** Replaces every known secret in a text (for the soak's own messages). */
    redact(text: string): string {
        let out = text;
        for (const value of this.kinds.keys())
            if (out.includes(value)) out = out.split(value).join('[secret]');
        return out;
    }

    private scan(source: string, text: string, where: string): void {
        const tally = this.scanned.get(source) ?? { items: 0, bytes: 0 };
        tally.items++;
        tally.bytes += text.length;
        this.scanned.set(source, tally);
        for (const [length, values] of this.lengths) {
            if (text.length < length) continue;
            if (values.size < 8) {
                for (const value of values) if (text.includes(value)) this.found(value, source, where);
                continue;
            }
            // Tokens are letters and digits: only runs of those can hold one, so slide within them.
            for (const run of text.matchAll(ALNUM_RUN)) {
                const chars = run[0];
                for (let i = 0; i + length <= chars.length; i++) {
                    const window = chars.slice(i, i + length);
                    if (values.has(window)) this.found(window, source, where);
                }
            }
        }
    }

    private found(value: string, source: string, where: string): void {
        this.findings.push({ kind: this.kinds.get(value)!, source, where });
    }
}

/**
 * The grep's own check, run before every soak: a scanner that finds nothing must be shown able to
 * find something. Both search paths are used (a few values of one length, and many).
 */
export function checkScanner(): void {
    const token = (n: number) => `t${String(n).padStart(31, '0')}`;
    const scanner = new SecretScanner();
    scanner.add('clientSecret', 'Client5ecretValue');
    for (let n = 0; n < 20; n++) scanner.add('accessToken', token(n));
    scanner.scanNow('self-test', `{"a":"x${token(7)}y","b":"Client5ecretValue","c":"${token(99)}"}`);
    scanner.scanNow('self-test', 'nothing here');
    const { secretsFound, findings } = scanner.summary();
    if (secretsFound !== 2 || !findings.some((f) => f.kind === 'clientSecret')) {
        throw new Error(`the secret scanner does not work: ${JSON.stringify(findings)}`);
    }
}
