/**
 * Decodes a Prometheus API answer whose `data` is an array (`/api/v1/series`: one label set per element) as the
 * body arrives, one element at a time. JSON.parse of the whole answer needs the whole text first: for 33,000
 * series that is the body's bytes, their concatenation and the decoded string at once (some 100 MB per cluster
 * before any object exists), for every cluster in flight. Here only the element being read is held as text.
 *
 * Everything outside `data`'s elements (status, warnings, errorType, error, and `data` itself when it is not
 * an array) is kept as text and parsed once at the end with `data` emptied, so the envelope means exactly what
 * JSON.parse makes of it. Malformed or truncated JSON throws a SyntaxError, as JSON.parse would.
 */
export class EnvelopeStream {
  private readonly elements: unknown[] = [];
  /** The envelope without data's elements and the commas between them. */
  private rest = '';
  /** Text carried from earlier chunks: of the element being read, or of a top-level key. */
  private carry = '';
  private keyCarry = '';
  private depth = 0;
  private inString = false;
  /** A backslash ended the last chunk inside a string: the next chunk's first character is escaped. */
  private escaped = false;
  /** The top-level object's last key, and whether the next string at depth 1 is a key. */
  private key = '';
  private expectKey = false;
  private readingKey = false;
  /** Inside the top-level `data` array. */
  private inData = false;
  private element: 'container' | 'string' | 'scalar' | undefined;
  /** An element was read and no comma has come since. */
  private needComma = false;
  private afterComma = false;

  /** Feeds the next piece of the body, as text. */
  push(text: string): void {
    const c = new Cursor(text, this.inData ? -1 : 0);
    while (c.i < c.n) {
      if (this.inString) this.readString(c);
      else this.readOne(c);
    }
    this.flush(c);
    if (this.element !== undefined) this.carry += text.slice(c.elementStart);
    else if (c.restFrom >= 0) this.rest += text.slice(c.restFrom);
    if (this.readingKey) this.keyCarry += text.slice(c.keyStart);
  }

  /** The answer, as JSON.parse of the whole body makes it. */
  end(): unknown {
    if (this.inString || this.depth !== 0 || this.element !== undefined) {
      JSON.parse(this.rest + this.carry);
      throw new SyntaxError('Unexpected end of JSON input');
    }
    const envelope = JSON.parse(this.rest) as unknown;
    if (isObject(envelope) && Array.isArray(envelope.data)) envelope.data = this.elements;
    return envelope;
  }

  private readOne(c: Cursor): void {
    if (this.element === 'container' && !this.skipInside(c)) return;
    const ch = c.text.charCodeAt(c.i);
    if (this.inData && this.depth === 2 && this.element === undefined && !isBlank(ch)) {
      if (ch === COMMA) {
        if (!this.needComma) throw new SyntaxError(`Unexpected token ',' in the data array`);
        this.needComma = false;
        this.afterComma = true;
        c.i += 1;
        return;
      }
      if (ch === CLOSE_BRACKET && this.afterComma) throw new SyntaxError(`Unexpected token ']' after ','`);
      if (ch !== CLOSE_BRACKET) this.startElement(c, ch);
    }
    if (this.element === 'scalar') {
      // The character that ends a scalar is read again with no element open (a comma, a blank or `]`).
      if (ch === COMMA || ch === CLOSE_BRACKET || isBlank(ch)) this.take(c, c.i);
      else c.i += 1;
      return;
    }
    if (ch === QUOTE) this.openString(c);
    else if (ch === OPEN_BRACE || ch === OPEN_BRACKET) this.open(c, ch);
    else if (ch === CLOSE_BRACE || ch === CLOSE_BRACKET) this.close(c);
    else if (this.depth === 1 && ch === COMMA) this.expectKey = true;
    else if (this.depth === 1 && ch === COLON) this.expectKey = false;
    c.i += 1;
  }

  /**
   * Inside an element only nesting matters: moves past whole strings (matched by the regex engine, far faster
   * than a loop here) to the next brace or bracket, or to a string this chunk does not finish. False at the
   * chunk's end.
   */
  private skipInside(c: Cursor): boolean {
    for (;;) {
      INSIDE.lastIndex = c.i;
      const m = INSIDE.exec(c.text);
      if (!m) {
        c.i = c.n;
        return false;
      }
      c.i = m.index;
      if (m[0].length === 1) return true;
      c.i += m[0].length;
    }
  }

  private startElement(c: Cursor, ch: number): void {
    if (this.needComma) throw new SyntaxError("Expected ',' or ']' after an element of the data array");
    this.afterComma = false;
    this.element = ch === OPEN_BRACE || ch === OPEN_BRACKET ? 'container' : ch === QUOTE ? 'string' : 'scalar';
    c.elementStart = c.i;
  }

  private openString(c: Cursor): void {
    this.inString = true;
    if (this.depth === 1 && this.expectKey) {
      this.readingKey = true;
      this.keyCarry = '';
      c.keyStart = c.i + 1;
    }
  }

  private open(c: Cursor, ch: number): void {
    this.depth += 1;
    if (this.depth === 1) this.expectKey = ch === OPEN_BRACE;
    if (this.depth === 2 && ch === OPEN_BRACKET && this.key === 'data' && !this.expectKey) {
      // data's elements are read one by one; the envelope keeps `"data":[` … `]` with nothing between.
      this.inData = true;
      this.needComma = false;
      this.afterComma = false;
      this.rest += c.text.slice(c.restFrom, c.i + 1);
      c.restFrom = -1;
    }
  }

  private close(c: Cursor): void {
    if (this.element === 'container' && this.depth === 3) {
      this.depth -= 1;
      this.take(c, c.i + 1);
      return;
    }
    if (this.inData && this.depth === 2) {
      this.flush(c);
      this.inData = false;
      c.restFrom = c.i;
    }
    this.depth -= 1;
  }

  /** Moves past the string's closing quote, or to the chunk's end when the string goes on in the next one. */
  private readString(c: Cursor): void {
    let i = c.i;
    if (this.escaped) {
      this.escaped = false;
      i += 1;
    }
    for (;;) {
      const quote = c.text.indexOf('"', i);
      const slash = c.nextSlash(i);
      if (slash >= 0 && (quote < 0 || slash < quote)) {
        if (slash + 1 >= c.n) {
          this.escaped = true;
          c.i = c.n;
          return;
        }
        i = slash + 2;
        continue;
      }
      if (quote < 0) {
        c.i = c.n;
        return;
      }
      this.inString = false;
      c.i = quote + 1;
      if (this.readingKey) {
        this.readingKey = false;
        this.key = JSON.parse(`"${this.keyCarry}${c.text.slice(c.keyStart, quote)}"`) as string;
        this.keyCarry = '';
      }
      if (this.element === 'string' && this.depth === 2) this.take(c, quote + 1);
      return;
    }
  }

  /**
   * An element ends at `end`. Elements are parsed a run at a time (flush): the text from a run's first element
   * to its last is elements and the commas between them, i.e. an array's inside, and one JSON.parse of a chunk's
   * run costs far less than one per element.
   */
  private take(c: Cursor, end: number): void {
    if (c.runStart < 0) {
      c.runStart = c.elementStart;
      c.runCarry = this.carry;
    }
    c.runEnd = end;
    this.carry = '';
    this.element = undefined;
    this.needComma = true;
  }

  private flush(c: Cursor): void {
    if (c.runStart < 0) return;
    const run = JSON.parse(`[${c.runCarry}${c.text.slice(c.runStart, c.runEnd)}]`) as unknown[];
    for (const e of run) this.elements.push(e);
    c.runStart = -1;
    c.runCarry = '';
  }
}

/** Position in one chunk, and where in it the envelope's, the element's and the key's text start. */
class Cursor {
  i = 0;
  readonly n: number;
  elementStart = 0;
  keyStart = 0;
  /** The run of whole elements read in this chunk and not parsed yet (take, flush). */
  runStart = -1;
  runEnd = 0;
  runCarry = '';
  /** Next backslash at or after the last string's start (-1: none left in this chunk), found once per pass. */
  private slash = -2;
  nextSlash(from: number): number {
    if (this.slash === -2 || (this.slash >= 0 && this.slash < from)) this.slash = this.text.indexOf('\\', from);
    return this.slash;
  }
  /** -1 while inside data's array, whose text between elements is not kept. */
  constructor(
    readonly text: string,
    public restFrom: number,
  ) {
    this.n = text.length;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isBlank = (ch: number): boolean => ch === 0x20 || ch === 0x0a || ch === 0x09 || ch === 0x0d;

/** A whole string, or a brace, a bracket or a quote that opens a string this chunk does not close. */
const INSIDE = /"(?:[^"\\]|\\.)*"|[{}[\]"]/g;
const QUOTE = 0x22;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
