/**
 * A streaming JSON tokenizer over the bytes of an answer as they arrive: it checks the grammar (RFC 8259) and
 * hands each token to a sink, so the sink can build what it needs (compact arrays of numbers) without the text
 * of the answer or a tree of objects ever existing whole. A token cut by a chunk's end is carried (its bytes
 * only) and read again with the next chunk. Malformed or truncated input throws a SyntaxError, as JSON.parse.
 */
export interface JsonSink {
  /** `{` (array false) or `[` (array true). */
  open(array: boolean): void;
  close(): void;
  /** An object's key; `escaped`: the bytes hold a backslash (decode with stringAt). */
  key(t: TokenText): void;
  string(t: TokenText): void;
  number(value: number): void;
  literal(value: boolean | null): void;
  /**
   * At a `[` where a value goes: the sink may read a run of whole array elements itself (a tight loop over a
   * shape it knows) and give the index after the last one it took, each element's bytes complete within `buf`;
   * or `at`, having taken nothing, when the bytes are anything else (cut by the chunk's end, other whitespace,
   * malformed), which the scanner then reads token by token (and refuses when malformed).
   */
  elements?(buf: Buffer, at: number): number;
}

/** A string token's bytes between its quotes. */
export interface TokenText {
  buf: Buffer;
  start: number;
  end: number;
  escaped: boolean;
}

/** The string a token stands for. */
export function stringAt(t: TokenText): string {
  if (!t.escaped) return t.buf.toString('utf8', t.start, t.end);
  return JSON.parse(t.buf.toString('utf8', t.start - 1, t.end + 1)) as string;
}

const enum S {
  Value,
  ValueOrEnd,
  KeyOrEnd,
  Key,
  Colon,
  After,
  Done,
}

export class JsonScanner {
  private readonly stack: boolean[] = [];
  private state = S.Value;
  private carry: Buffer | undefined;
  private readonly text: TokenText = { buf: Buffer.alloc(0), start: 0, end: 0, escaped: false };

  constructor(private readonly sink: JsonSink) {}

  push(chunk: Buffer): void {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    const n = buf.length;
    let i = 0;
    while (i < n) {
      const c = buf[i] as number;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        i++;
        continue;
      }
      const next = this.token(buf, i, c);
      if (next < 0) {
        // Cut by the chunk's end: a copy of its bytes alone, so the chunk itself is not kept.
        this.carry = Buffer.from(buf.subarray(i));
        return;
      }
      i = next;
    }
  }

  /** The end of the answer: what is still open or carried is a truncated answer. */
  end(): void {
    if (this.carry) this.push(Buffer.from(' '));
    if (this.carry || this.state !== S.Done) throw new SyntaxError('Unexpected end of JSON input');
  }

  /** Reads the token at `i`; the index after it, or -1 when the chunk ends inside it. */
  private token(buf: Buffer, i: number, c: number): number {
    switch (this.state) {
      case S.After:
        if (c === 0x2c) {
          this.state = this.stack[this.stack.length - 1] ? S.Value : S.Key;
          return i + 1;
        }
        return this.closing(c, i);
      case S.Colon:
        if (c !== 0x3a) throw unexpected(c, i);
        this.state = S.Value;
        return i + 1;
      case S.KeyOrEnd:
        if (c === 0x7d) return this.closing(c, i);
        return this.readKey(buf, i, c);
      case S.Key:
        return this.readKey(buf, i, c);
      case S.ValueOrEnd:
        if (c === 0x5d) return this.closing(c, i);
        return this.value(buf, i, c);
      case S.Value:
        return this.value(buf, i, c);
      default:
        throw unexpected(c, i);
    }
  }

  private closing(c: number, i: number): number {
    const array = this.stack[this.stack.length - 1];
    if (array === undefined || c !== (array ? 0x5d : 0x7d)) throw unexpected(c, i);
    this.stack.pop();
    this.sink.close();
    this.afterValue();
    return i + 1;
  }

  private afterValue(): void {
    this.state = this.stack.length === 0 ? S.Done : S.After;
  }

  private readKey(buf: Buffer, i: number, c: number): number {
    if (c !== 0x22) throw unexpected(c, i);
    const end = this.stringEnd(buf, i + 1);
    if (end < 0) return -1;
    this.sink.key(this.textOf(buf, i + 1, end));
    this.state = S.Colon;
    return end + 1;
  }

  private value(buf: Buffer, i: number, c: number): number {
    if (c === 0x22) {
      const end = this.stringEnd(buf, i + 1);
      if (end < 0) return -1;
      this.afterValue();
      this.sink.string(this.textOf(buf, i + 1, end));
      return end + 1;
    }
    if (c === 0x5b && this.sink.elements) {
      const next = this.sink.elements(buf, i);
      if (next !== i) {
        this.state = S.After;
        return next;
      }
    }
    if (c === 0x7b || c === 0x5b) {
      const array = c === 0x5b;
      this.stack.push(array);
      this.state = array ? S.ValueOrEnd : S.KeyOrEnd;
      this.sink.open(array);
      return i + 1;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1;
      while (end < buf.length && isNumberByte(buf[end] as number)) end++;
      if (end >= buf.length) return -1;
      const v = parseNumber(buf, i, end);
      this.afterValue();
      this.sink.number(v);
      return end;
    }
    for (const [word, v] of LITERALS) {
      if (c !== word[0]) continue;
      if (i + word.length > buf.length) return -1;
      for (let k = 1; k < word.length; k++) if (buf[i + k] !== word[k]) throw unexpected(buf[i + k] as number, i + k);
      this.afterValue();
      this.sink.literal(v);
      return i + word.length;
    }
    throw unexpected(c, i);
  }

  /** The index of the quote closing a string whose text starts at `from`, or -1 past the chunk's end. */
  private stringEnd(buf: Buffer, from: number): number {
    this.text.escaped = false;
    for (let i = from; i < buf.length; i++) {
      const c = buf[i] as number;
      if (c === 0x22) return i;
      if (c === 0x5c) {
        this.text.escaped = true;
        i++;
      } else if (c < 0x20) throw new SyntaxError(`Bad control character in string literal at position ${i}`);
    }
    return -1;
  }

  private textOf(buf: Buffer, start: number, end: number): TokenText {
    const t = this.text;
    t.buf = buf;
    t.start = start;
    t.end = end;
    return t;
  }
}

const LITERALS: [number[], boolean | null][] = [
  [[0x74, 0x72, 0x75, 0x65], true],
  [[0x66, 0x61, 0x6c, 0x73, 0x65], false],
  [[0x6e, 0x75, 0x6c, 0x6c], null],
];

export const isNumberByte = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;

function unexpected(c: number, i: number): SyntaxError {
  return new SyntaxError(`Unexpected token '${String.fromCharCode(c)}' in JSON at position ${i}`);
}

/** A JSON number's bytes (grammar checked) as the double JSON.parse makes of them. */
function parseNumber(buf: Buffer, start: number, end: number): number {
  const v = decimalAt(buf, start, end);
  if (v === undefined) throw new SyntaxError(`Bad number in JSON at position ${start}`);
  return v;
}

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The decimal in `buf[start, end)` written as JSON writes numbers (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`),
 * or undefined when the bytes are not one. Exact: with at most 15 significant digits and a fraction of at most 22
 * digits, the digits and the power of ten are both exact doubles and one division rounds correctly (Clinger's
 * fast path); anything else goes to Number(), which rounds correctly too.
 */
export function decimalAt(buf: Buffer, start: number, end: number): number | undefined {
  let i = start;
  const negative = buf[i] === 0x2d;
  if (negative) i++;
  const intStart = i;
  let mantissa = 0;
  let digits = 0;
  while (i < end && (buf[i] as number) >= 0x30 && (buf[i] as number) <= 0x39) {
    mantissa = mantissa * 10 + ((buf[i] as number) - 0x30);
    if (mantissa !== 0) digits++;
    i++;
  }
  if (i === intStart || (buf[intStart] === 0x30 && i - intStart > 1)) return undefined;
  let fraction = 0;
  if (buf[i] === 0x2e && i < end) {
    i++;
    const fracStart = i;
    while (i < end && (buf[i] as number) >= 0x30 && (buf[i] as number) <= 0x39) {
      mantissa = mantissa * 10 + ((buf[i] as number) - 0x30);
      if (mantissa !== 0) digits++;
      i++;
    }
    fraction = i - fracStart;
    if (fraction === 0) return undefined;
  }
  if (i < end) {
    if (buf[i] !== 0x65 && buf[i] !== 0x45) return undefined;
    i++;
    if (buf[i] === 0x2b || buf[i] === 0x2d) i++;
    const expStart = i;
    while (i < end && (buf[i] as number) >= 0x30 && (buf[i] as number) <= 0x39) i++;
    if (i === expStart || i !== end) return undefined;
    return Number(buf.toString('latin1', start, end));
  }
  if (digits > 15 || fraction > 22) return Number(buf.toString('latin1', start, end));
  const v = fraction === 0 ? mantissa : mantissa / (POW10[fraction] as number);
  return negative ? -v : v;
}
