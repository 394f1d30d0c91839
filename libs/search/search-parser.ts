import { InputError } from '../errors/errors.ts';
import type { SearchExpr } from '../schemas/search-expr.ts';

/**
 * Parser of the search language `q`:
 *
 *   query   := or
 *   or      := and ( "OR" and )*
 *   and     := unary ( "AND"? unary )*        adjacent terms are ANDed
 *   unary   := "NOT" unary | primary
 *   primary := "(" or ")" | field ":" value | value
 *   value   := word | "quoted phrase"         (\" and \\ escape inside quotes)
 *
 * AND, OR and NOT are operators only in capitals; `and` is a word. A word is any run of characters other than
 * whitespace, parentheses and double quotes. `field:` is recognised when the text before the first colon is an
 * identifier. Errors name the 1-based character position so the user can find the mistake.
 */
export const MAX_QUERY_LENGTH = 4096;
const MAX_DEPTH = 32;
const MAX_TERMS = 200;

type Token =
  | { kind: 'word'; value: string; pos: number; field?: string }
  | { kind: 'phrase'; value: string; pos: number; field?: string }
  | { kind: 'op'; value: 'AND' | 'OR' | 'NOT'; pos: number }
  | { kind: 'lparen' | 'rparen'; pos: number };

// `attr.<key>` names one attribute; keys are the senders' own (`k8s.deployment.name`, `app.kubernetes.io/name`).
const IDENT = /^(?:[A-Za-z][A-Za-z0-9_]*|attr\.[A-Za-z0-9_.\-/]+)$/;

/** Parses `q`; undefined for an empty or blank query. Throws InputError with the position of the first problem. */
export function parseSearch(q: string): SearchExpr | undefined {
  if (q.length > MAX_QUERY_LENGTH)
    throw queryError(`is longer than ${MAX_QUERY_LENGTH} characters`, MAX_QUERY_LENGTH + 1);
  const tokens = lex(q);
  if (tokens.length === 0) return undefined;
  if (tokens.filter((t) => t.kind === 'word' || t.kind === 'phrase').length > MAX_TERMS) {
    throw queryError(`has more than ${MAX_TERMS} terms`, 1);
  }
  const parser = new Parser(tokens, q.length);
  return parser.parseQuery();
}

function queryError(problem: string, pos: number): InputError {
  return new InputError(`Invalid search query q: ${problem} (at position ${pos})`, [
    { path: 'q', message: `${problem} at position ${pos}` },
  ]);
}

function lex(q: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const ch = q[i] as string;
    if (/\s/.test(ch)) i++;
    else if (ch === '(' || ch === ')') tokens.push({ kind: ch === '(' ? 'lparen' : 'rparen', pos: ++i });
    else if (ch === '"') {
      const { value, next } = readPhrase(q, i);
      tokens.push({ kind: 'phrase', value, pos: i + 1 });
      i = next;
    } else i = readWord(q, i, tokens);
  }
  return tokens;
}

/** Reads a quoted phrase starting at the quote at `start`; returns its text and the index after the closing quote. */
function readPhrase(q: string, start: number): { value: string; next: number } {
  let value = '';
  let i = start + 1;
  while (i < q.length) {
    const ch = q[i] as string;
    if (ch === '"') return { value, next: i + 1 };
    if (ch === '\\' && i + 1 < q.length) {
      value += q[i + 1];
      i += 2;
    } else {
      value += ch;
      i++;
    }
  }
  throw queryError('unterminated quoted phrase', start + 1);
}

/** Reads a word, an operator, or `field:value` / `field:"phrase"` at `start`; returns the next index. */
function readWord(q: string, start: number, tokens: Token[]): number {
  let i = start;
  while (i < q.length && !/[\s()"]/.test(q[i] as string)) i++;
  const text = q.slice(start, i);
  const pos = start + 1;
  if (text === 'AND' || text === 'OR' || text === 'NOT') {
    tokens.push({ kind: 'op', value: text, pos });
    return i;
  }
  const colon = text.indexOf(':');
  const field = colon > 0 ? text.slice(0, colon) : undefined;
  if (field === undefined || !IDENT.test(field)) {
    tokens.push({ kind: 'word', value: text, pos });
    return i;
  }
  const rest = text.slice(colon + 1);
  if (rest !== '') {
    tokens.push({ kind: 'word', value: rest, pos, field });
    return i;
  }
  if (q[i] === '"') {
    const { value, next } = readPhrase(q, i);
    tokens.push({ kind: 'phrase', value, pos, field });
    return next;
  }
  throw queryError(`"${field}:" needs a value`, pos);
}

class Parser {
  private index = 0;
  private depth = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
  ) {}

  parseQuery(): SearchExpr {
    const expr = this.parseOr();
    const extra = this.tokens[this.index];
    if (extra) throw queryError(extra.kind === 'rparen' ? 'unbalanced ")"' : 'unexpected input', extra.pos);
    return expr;
  }

  private parseOr(): SearchExpr {
    const items = [this.parseAnd()];
    while (this.isOp('OR')) {
      this.index++;
      items.push(this.parseAnd());
    }
    return items.length === 1 ? (items[0] as SearchExpr) : { type: 'or', items };
  }

  private parseAnd(): SearchExpr {
    const items = [this.parseUnary()];
    for (;;) {
      if (this.isOp('AND')) this.index++;
      else if (!this.startsOperand()) break;
      items.push(this.parseUnary());
    }
    return items.length === 1 ? (items[0] as SearchExpr) : { type: 'and', items };
  }

  private parseUnary(): SearchExpr {
    if (this.isOp('NOT')) {
      this.index++;
      return { type: 'not', item: this.nested(() => this.parseUnary()) };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): SearchExpr {
    const token = this.tokens[this.index];
    if (!token) throw queryError('expected a term', this.length + 1);
    if (token.kind === 'lparen') {
      this.index++;
      const inner = this.nested(() => this.parseOr());
      if (this.tokens[this.index]?.kind !== 'rparen')
        throw queryError('missing ")"', this.tokens[this.index]?.pos ?? this.length + 1);
      this.index++;
      return inner;
    }
    if (token.kind === 'word' || token.kind === 'phrase') {
      this.index++;
      const type = token.kind === 'word' ? 'term' : 'phrase';
      return token.field === undefined
        ? { type, value: token.value }
        : { type, value: token.value, field: token.field };
    }
    throw queryError(
      token.kind === 'rparen'
        ? 'unexpected ")"'
        : `expected a term, found operator ${token.kind === 'op' ? token.value : ''}`,
      token.pos,
    );
  }

  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_DEPTH)
      throw queryError(`nests deeper than ${MAX_DEPTH} levels`, this.tokens[this.index]?.pos ?? this.length);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private isOp(value: 'AND' | 'OR' | 'NOT'): boolean {
    const t = this.tokens[this.index];
    return t?.kind === 'op' && t.value === value;
  }

  private startsOperand(): boolean {
    const t = this.tokens[this.index];
    return (
      t !== undefined &&
      (t.kind === 'word' || t.kind === 'phrase' || t.kind === 'lparen' || (t.kind === 'op' && t.value === 'NOT'))
    );
  }
}
