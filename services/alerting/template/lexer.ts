/**
 * Lexer for the Go text/template subset Prometheus and Alertmanager templates use
 * (https://pkg.go.dev/text/template): text and `{{ … }}` actions, with `{{-` / `-}}` trimming the
 * whitespace beside them and `{{/* … *\/}}` comments.
 */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

export type Token =
  | { t: 'ident'; v: string }
  | { t: 'field'; v: string[] } // .A.B (v=[] is the dot itself)
  | { t: 'var'; v: string; fields: string[] } // $x.A.B ($ alone is v='')
  | { t: 'string'; v: string }
  | { t: 'number'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'nil' }
  | { t: 'pipe' }
  | { t: 'lparen' }
  | { t: 'rparen'; fields: string[] } // (x).A chains fields after a parenthesis
  | { t: 'declare' }
  | { t: 'assign' }
  | { t: 'comma' };

export type Item = { kind: 'text'; text: string } | { kind: 'action'; tokens: Token[]; src: string };

export function lex(src: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  let trimNextText = false;
  while (pos < src.length) {
    const open = src.indexOf('{{', pos);
    let text = src.slice(pos, open < 0 ? src.length : open);
    const trimLeft = open >= 0 && /^-[ \t\r\n]/.test(src.slice(open + 2, open + 4));
    if (trimNextText) text = text.replace(/^\s+/, '');
    if (trimLeft) text = text.replace(/\s+$/, '');
    if (text) items.push({ kind: 'text', text });
    if (open < 0) break;
    const close = findClose(src, open + 2);
    if (close < 0) throw new TemplateError(`unclosed action at offset ${open}`);
    trimNextText = close - 2 > open + 2 && /[ \t\r\n]-$/.test(src.slice(close - 2, close));
    let inner = src.slice(open + 2, close);
    if (trimLeft) inner = inner.slice(2);
    if (trimNextText) inner = inner.slice(0, -2);
    pos = close + 2;
    const body = inner.trim();
    if (body.startsWith('/*')) {
      if (!body.endsWith('*/')) throw new TemplateError('unclosed comment');
      continue;
    }
    items.push({ kind: 'action', tokens: tokenize(body), src: body });
  }
  return items;
}

/** The `}}` closing an action, skipping ones inside string literals. */
function findClose(src: string, from: number): number {
  let i = from;
  while (i < src.length) {
    const c = src[i];
    if (c === '"' || c === '`') {
      const end = c === '`' ? src.indexOf('`', i + 1) : closingQuote(src, i);
      if (end < 0) return -1;
      i = end + 1;
      continue;
    }
    if (c === '}' && src[i + 1] === '}') return i;
    i++;
  }
  return -1;
}

function closingQuote(src: string, start: number): number {
  for (let i = start + 1; i < src.length; i++) {
    if (src[i] === '\\') i++;
    else if (src[i] === '"') return i;
  }
  return -1;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;
const FIELDS = /^(?:\.[A-Za-z_][A-Za-z0-9_]*)+/;
const NUMBER = /^[-+]?(?:0x[0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)/;

const SIMPLE: [string, Token][] = [
  [':=', { t: 'declare' }],
  ['=', { t: 'assign' }],
  ['|', { t: 'pipe' }],
  [',', { t: 'comma' }],
  ['(', { t: 'lparen' }],
];

function tokenize(body: string): Token[] {
  const out: Token[] = [];
  let s = body;
  const fieldsAfter = (): string[] => {
    const m = FIELDS.exec(s);
    if (!m) return [];
    s = s.slice(m[0].length);
    return m[0].slice(1).split('.');
  };
  while ((s = s.replace(/^\s+/, '')).length) {
    let m: RegExpExecArray | null;
    const simple = SIMPLE.find(([text]) => s.startsWith(text));
    if (simple) {
      out.push(simple[1]);
      s = s.slice(simple[0].length);
    } else if (s[0] === ')') {
      s = s.slice(1);
      out.push({ t: 'rparen', fields: fieldsAfter() });
    } else if (s[0] === '"') {
      const end = closingQuote(s, 0);
      if (end < 0) throw new TemplateError('unterminated string');
      out.push({ t: 'string', v: JSON.parse(s.slice(0, end + 1).replace(/\\'/g, "'")) as string });
      s = s.slice(end + 1);
    } else if (s[0] === '`') {
      const end = s.indexOf('`', 1);
      if (end < 0) throw new TemplateError('unterminated raw string');
      out.push({ t: 'string', v: s.slice(1, end) });
      s = s.slice(end + 1);
    } else if (s[0] === '$') {
      m = /^\$[A-Za-z0-9_]*/.exec(s) as RegExpExecArray;
      s = s.slice(m[0].length);
      out.push({ t: 'var', v: m[0].slice(1), fields: fieldsAfter() });
    } else if (s[0] === '.' && !/^\.\d/.test(s)) {
      if (FIELDS.exec(s)) out.push({ t: 'field', v: fieldsAfter() });
      else {
        out.push({ t: 'field', v: [] });
        s = s.slice(1);
      }
    } else if ((m = NUMBER.exec(s)) && !/^[-+]?[A-Za-z]/.test(s)) {
      out.push({ t: 'number', v: Number(m[0]) });
      s = s.slice(m[0].length);
    } else if ((m = IDENT.exec(s))) {
      s = s.slice(m[0].length);
      if (m[0] === 'true' || m[0] === 'false') out.push({ t: 'bool', v: m[0] === 'true' });
      else if (m[0] === 'nil') out.push({ t: 'nil' });
      else out.push({ t: 'ident', v: m[0] });
    } else throw new TemplateError(`unexpected "${s[0]}" in action`);
  }
  return out;
}
