import { InputError } from '../errors/errors.ts';

/**
 * Literal syntax shared by the parser and the printer: numbers and strings, following Go's strconv
 * (ParseFloat, Quote). Durations are libs/time/duration.ts, string literals libs/text/go-unquote.ts.
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
