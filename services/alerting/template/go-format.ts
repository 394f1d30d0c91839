/**
 * Go's fmt formatting for the verbs templates use (%s %d %f %g %e %v %q %x %t %%, width, precision,
 * `-` `+` `0` flags), so `{{ printf "%.2f" $value }}` reads as it does in Prometheus.
 */
export function formatG(v: number, prec: number | undefined): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  // Shortest form (prec undefined) switches to an exponent from 1e+06 on, as strconv's 'g' with -1 does.
  const digits = prec === undefined ? undefined : Math.max(prec, 1);
  const exp = Number((digits === undefined ? v.toExponential() : v.toExponential(digits - 1)).split('e')[1]);
  const limit = digits ?? 6;
  if (exp < -4 || exp >= limit) {
    const [mant, e] = (digits === undefined ? v.toExponential() : v.toExponential(digits - 1)).split('e') as [
      string,
      string,
    ];
    const sign = e.startsWith('-') ? '-' : '+';
    const abs = e.replace(/^[-+]/, '');
    return `${stripZeros(mant)}e${sign}${abs.padStart(2, '0')}`;
  }
  if (digits === undefined) return String(v);
  return stripZeros(goFixed(v, Math.max(0, digits - 1 - exp)));
}

/**
 * toFixed with Go's rounding: an exact tie rounds to even (Go: 2.25 → "2.2"), where JavaScript rounds up.
 * toFixed(100) is the exact decimal expansion of the double, so ties can be recognised exactly.
 */
export function goFixed(v: number, digits: number): string {
  const plain = v.toFixed(digits);
  if (Math.abs(v) >= 1e21 || digits > 40) return plain;
  const exact = Math.abs(v).toFixed(Math.min(100, digits + 60));
  const tail = exact.slice(exact.indexOf('.') + 1 + digits);
  if (!/^50*$/.test(tail)) return plain;
  const kept = exact.slice(0, exact.indexOf('.') + 1 + digits).replace(/\.$/, '');
  const lastDigit = Number(kept.replace('.', '').slice(-1));
  if (lastDigit % 2 === 1) return plain; // rounding up reaches the even digit, as toFixed does
  return (v < 0 ? '-' : '') + kept;
}

function stripZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** Go's %v of a value (what `{{ $value }}` prints). */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '<no value>';
  if (typeof v === 'number') return formatG(v, undefined);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(' ')}]`;
  if (v instanceof Date) return v.toISOString();
  // Values with Go's Stringer (GoTime, safe HTML) print what String() returns, as fmt does.
  if (typeof v === 'object' && typeof (v as { String?: unknown }).String === 'function')
    return String((v as { String: () => unknown }).String());
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `map[${entries.map(([k, x]) => `${k}:${formatValue(x)}`).join(' ')}]`;
  }
  return String(v);
}

const VERB = /%([-+# 0]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])/g;

export function sprintf(format: string, args: unknown[]): string {
  let next = 0;
  const out = format.replace(
    VERB,
    // The replacer gets the whole match, then the groups: flags, width, precision, verb.
    (...match: (string | undefined)[]) => {
      const [, flags = '', width, precText, verb = ''] = match;
      if (verb === '%') return '%';
      if (next >= args.length) return `%!${verb}(MISSING)`;
      const arg = args[next++];
      const prec = precText === undefined ? undefined : Number(precText || '0');
      let s = formatOne(verb, arg, { prec, flags });
      if (s === undefined) return `%!${verb}(${typeof arg}=${formatValue(arg)})`;
      const w = width ? Number(width) : 0;
      if (s.length < w) {
        if (flags.includes('-')) s = s.padEnd(w);
        else if (flags.includes('0') && /^[-+]?[\d.]/.test(s) && 'dfeg'.includes(verb)) {
          const sign = /^[-+]/.test(s) ? (s[0] as string) : '';
          s = sign + s.slice(sign.length).padStart(w - sign.length, '0');
        } else s = s.padStart(w);
      }
      return s;
    },
  );
  return next < args.length ? `${out}%!(EXTRA ${args.slice(next).map(formatValue).join(', ')})` : out;
}

function toNum(arg: unknown): number | undefined {
  if (typeof arg === 'number') return arg;
  if (typeof arg === 'boolean') return undefined;
  return undefined;
}

function formatOne(verb: string, arg: unknown, spec: { prec: number | undefined; flags: string }): string | undefined {
  const { prec, flags } = spec;
  const plus = (s: string, n: number) => (flags.includes('+') && n >= 0 ? `+${s}` : s);
  const n = toNum(arg);
  switch (verb) {
    case 'v':
      return formatValue(arg);
    case 's':
      return prec === undefined ? formatValue(arg) : formatValue(arg).slice(0, prec);
    case 'q':
      return JSON.stringify(formatValue(arg));
    case 't':
      return typeof arg === 'boolean' ? String(arg) : undefined;
    case 'd':
      return n !== undefined && Number.isInteger(n) ? plus(String(n), n) : undefined;
    case 'f':
    case 'F':
      return n === undefined ? undefined : plus(Number.isFinite(n) ? goFixed(n, prec ?? 6) : formatG(n, undefined), n);
    case 'e':
      return n === undefined ? undefined : plus(formatExp(n, prec ?? 6), n);
    case 'g':
      return n === undefined ? undefined : plus(formatG(n, prec), n);
    case 'x':
    case 'X': {
      const s =
        n !== undefined && Number.isInteger(n)
          ? n.toString(16)
          : typeof arg === 'string'
            ? Buffer.from(arg).toString('hex')
            : undefined;
      return s && verb === 'X' ? s.toUpperCase() : s;
    }
    default:
      return undefined;
  }
}

function formatExp(v: number, prec: number): string {
  const [mant, e] = v.toExponential(prec).split('e') as [string, string];
  const sign = e.startsWith('-') ? '-' : '+';
  return `${mant}e${sign}${e.replace(/^[-+]/, '').padStart(2, '0')}`;
}
