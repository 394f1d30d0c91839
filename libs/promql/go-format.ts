/**
 * Go's strconv.FormatFloat(v, 'g', precision, 64), which `%g` and `%.2g` print with: the shortest digits (or
 * `precision` significant ones), the exponent form when the decimal exponent is below -4 or at least the
 * precision (6 for the shortest form), at least two exponent digits; ±Inf as "+Inf"/"-Inf".
 */
export function formatG(v: number, precision = -1): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const exp = (precision < 0 ? v.toExponential() : v.toExponential(Math.max(precision, 1) - 1)).split('e');
  const mantissa = (exp[0] as string).replace('-', '');
  const digits = mantissa.replace('.', '').replace(/0+$/, '') || '0';
  const e = Number(exp[1]);
  let eprec = precision < 0 ? 6 : precision;
  if (precision >= 0 && eprec > digits.length && digits.length >= e + 1) eprec = digits.length;
  const sign = v < 0 ? '-' : '';
  if (e < -4 || e >= eprec) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  if (digits.length <= e + 1) return `${sign}${digits}${'0'.repeat(e + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
}
