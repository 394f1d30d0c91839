import { InputError } from '../errors/errors.ts';

/**
 * Literal syntax shared by the parser and the printer: numbers, durations and strings, following Go's
 * strconv (ParseFloat, Unquote) and Prometheus's model.ParseDuration, which is what Prometheus 2.42 uses.
 */
export function parseNumber(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[+-]/, '');
  const lower = body.toLowerCase();
  if (lower === 'inf' || lower === 'infinity') return sign * Infinity;
  if (lower === 'nan') return NaN;
  const n = /^0x[0-9a-f]+$/i.test(body) ? parseInt(body.slice(2), 16) : Number(body);
  if (body === '' || Number.isNaN(n)) throw new InputError(`bad number or duration syntax: "${text}"`);
  return sign * n;
}

const UNITS: Record<string, number> = {
  y: 365 * 86_400_000,
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};
const UNIT_ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];

/** model.ParseDuration: units in decreasing order, each at most once; "0" alone is allowed. */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  const re = /(\d+)(ms|y|w|d|h|m|s)/gy;
  let ms = 0;
  let last = -1;
  let pos = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const idx = UNIT_ORDER.indexOf(m[2] as string);
    if (idx <= last) throw new InputError(`not a valid duration string: "${text}"`);
    last = idx;
    ms += Number(m[1]) * (UNITS[m[2] as string] as number);
    pos = re.lastIndex;
  }
  if (pos !== text.length || last < 0) throw new InputError(`not a valid duration string: "${text}"`);
  return ms;
}

/** parseDuration for config and API fields: undefined instead of an error when the text is not a duration. */
export function tryParseDuration(text: string): number | undefined {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

/** model.Duration.String(): the largest units first, "0s" for zero. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let out = ms < 0 ? '-' : '';
  // Whole milliseconds: computed steps (range / points) may carry fractions; Prometheus durations cannot.
  let rest = Math.round(Math.abs(ms));
  for (const u of UNIT_ORDER) {
    const size = UNITS[u] as number;
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${u}`;
      rest %= size;
    }
  }
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** Go's strconv.Unquote for "…", '…' and `…` literals. */
export function unquote(text: string): string {
  const q = text[0];
  if (text.length < 2 || text[text.length - 1] !== q) throw new InputError(`unterminated quoted string ${text}`);
  const body = text.slice(1, -1);
  if (q === '`') return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i] ?? '';
    if (SIMPLE_ESCAPES[e] !== undefined && (e !== "'" || q === "'") && (e !== '"' || q === '"'))
      out += SIMPLE_ESCAPES[e];
    else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw new InputError(`invalid escape sequence in ${text}`);
      out += String.fromCodePoint(parseInt(hex, 16));
      i += len;
    } else if (/[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) throw new InputError(`invalid escape sequence in ${text}`);
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else throw new InputError(`invalid escape sequence "\\${e}" in ${text}`);
  }
  return out;
}

/** A double-quoted literal any PromQL parser reads back to `s`. */
export function quote(s: string): string {
  return JSON.stringify(s);
}

/**
 * Prometheus's float formatting in API answers and count_values labels: strconv.FormatFloat(v, 'f', -1, 64),
 * the shortest digits that read back exactly, never in exponent form (1e21 → "1000000000000000000000").
 */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const sign = s.startsWith('-') ? '-' : '';
  const mantissa = s.slice(sign.length, e);
  const exp = Number(s.slice(e + 1));
  const [int = '', frac = ''] = mantissa.split('.');
  const digits = int + frac;
  const point = int.length + exp;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Reads a value Prometheus wrote ("+Inf", "NaN", "1.5"). */
export function parseValue(s: string): number {
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

export function formatNumberLiteral(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
