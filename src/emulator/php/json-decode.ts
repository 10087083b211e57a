// PHP's json_decode($text, true): objects and lists both become ordered arrays, key order kept.
// JSON.parse cannot be used because JavaScript objects move integer-like keys to the front, and
// batch commands run in the order the client wrote them (docs/bitrix24.md §10).
import { phpList, type PhpArray, type PhpValue } from './values';

class JsonSyntaxError extends Error {}

/** Returns the decoded value, or undefined when the text is not valid JSON (Bitrix then uses []). */
export function decodeJson(text: string): PhpValue | undefined {
    const parser = new Parser(text);
    try {
        const value = parser.value();
        parser.end();
        return value;
    } catch (error) {
        if (error instanceof JsonSyntaxError) return undefined;
        throw error;
    }
}

class Parser {
    private pos = 0;
    constructor(private readonly text: string) {}

    value(): PhpValue {
        this.space();
        const char = this.text[this.pos];
        if (char === '{') return this.object();
        if (char === '[') return this.list();
        if (char === '"') return this.string();
        if (char === 't') return this.literal('true', true);
        if (char === 'f') return this.literal('false', false);
        if (char === 'n') return this.literal('null', null);
        return this.number();
    }

    end(): void {
        this.space();
        if (this.pos !== this.text.length) throw new JsonSyntaxError();
    }

    private object(): PhpArray {
        const result: PhpArray = new Map();
        this.pos++;
        this.space();
        if (this.text[this.pos] === '}') {
            this.pos++;
            return result;
        }
        for (;;) {
            this.space();
            if (this.text[this.pos] !== '"') throw new JsonSyntaxError();
            const key = this.string();
            this.space();
            this.expect(':');
            result.set(key, this.value());
            this.space();
            if (this.text[this.pos] === ',') {
                this.pos++;
                continue;
            }
            this.expect('}');
            return result;
        }
    }

    private list(): PhpArray {
        const items: PhpValue[] = [];
        this.pos++;
        this.space();
        if (this.text[this.pos] === ']') {
            this.pos++;
            return phpList(items);
        }
        for (;;) {
            items.push(this.value());
            this.space();
            if (this.text[this.pos] === ',') {
                this.pos++;
                continue;
            }
            this.expect(']');
            return phpList(items);
        }
    }

    private string(): string {
        const start = this.pos;
        this.pos++;
        for (;;) {
            const char = this.text[this.pos];
            if (char === undefined) throw new JsonSyntaxError();
            if (char === '\\') {
                this.pos += 2;
                continue;
            }
            this.pos++;
            if (char === '"') break;
        }
        try {
            return JSON.parse(this.text.slice(start, this.pos)) as string;
        } catch {
            throw new JsonSyntaxError();
        }
    }

    private number(): number {
        const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 64));
        if (!match) throw new JsonSyntaxError();
        this.pos += match[0].length;
        return Number(match[0]);
    }

    private literal<T extends PhpValue>(word: string, value: T): T {
        if (this.text.startsWith(word, this.pos)) {
            this.pos += word.length;
            return value;
        }
        throw new JsonSyntaxError();
    }

    private expect(char: string): void {
        if (this.text[this.pos] !== char) throw new JsonSyntaxError();
        this.pos++;
    }

    private space(): void {
        while (/[ \t\n\r]/.test(this.text[this.pos] ?? '')) this.pos++;
    }
}
