import { formatValue } from './go-format.ts';
import { GoTime } from './go-time.ts';
import { SafeHtml } from './html-escape.ts';

/**
 * Alertmanager's template functions (template/template.go DefaultFuncs, 0.35) beyond those Prometheus shares:
 * times (`date`, `tz`, `now`, `since`, `toDate`, `addDuration`), `toJson`, URL-safe base64, `list`/`append`/`dict`,
 * `urlUnescape`, and `title` as golang.org/x/text cases.Title (lower-cases the rest of each word).
 */
export type TemplateFn = (...args: unknown[]) => unknown;

const asTime = (v: unknown): GoTime => {
  if (v instanceof GoTime) return v;
  throw new Error(`expected a time, got ${formatValue(v)}`);
};

const GO_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseGoDuration(text: string): number {
  const m = /^([-+]?)((?:\d*\.?\d+(?:ns|us|µs|ms|s|m|h))+|0)$/.exec(text);
  if (!m) throw new Error(`time: invalid duration "${text}"`);
  let total = 0;
  for (const part of (m[2] as string).matchAll(/(\d*\.?\d+)(ns|us|µs|ms|s|m|h)/g))
    total += Number(part[1]) * (GO_UNITS[part[2] as string] as number);
  return m[1] === '-' ? -total : total;
}

/** time.Duration as a template value: prints as Go does (1h2m3.5s). */
export class GoDuration {
  constructor(readonly ms: number) {}
  String(): string {
    if (this.ms === 0) return '0s';
    const sign = this.ms < 0 ? '-' : '';
    let rest = Math.abs(this.ms);
    if (rest < 1000) return `${sign}${rest}ms`;
    const h = Math.floor(rest / 3_600_000);
    rest -= h * 3_600_000;
    const m = Math.floor(rest / 60_000);
    rest -= m * 60_000;
    const s = (rest / 1000).toFixed(3).replace(/\.?0+$/, '');
    return `${sign}${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
  }
  Seconds(): number {
    return this.ms / 1000;
  }
}

/** encoding/json.Marshal: map keys sorted, <, >, & escaped as \u003c \u003e \u0026. */
export function goJson(v: unknown): string {
  const sortKeys = (x: unknown): unknown => {
    if (x instanceof GoTime) return x.toJSON();
    if (x instanceof SafeHtml) return x.value;
    if (Array.isArray(x)) return x.map(sortKeys);
    if (x && typeof x === 'object')
      return Object.fromEntries(
        Object.keys(x)
          .sort()
          .map((k) => [k, sortKeys((x as Record<string, unknown>)[k])]),
      );
    return x;
  };
  return JSON.stringify(sortKeys(v) ?? null).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** cases.Title(language.AmericanEnglish): each word's first letter upper-case, the rest lower-case. */
export function casesTitle(s: string): string {
  return s.replace(/[\p{L}\p{N}'’]+/gu, (w) => (w[0] as string).toUpperCase() + w.slice(1).toLowerCase());
}

export const alertmanagerFunctions: Record<string, TemplateFn> = {
  title: (s) => casesTitle(formatValue(s)),
  safeHtml: (s) => new SafeHtml(formatValue(s)),
  urlUnescape: (s) => decodeURIComponent(formatValue(s).replace(/\+/g, ' ')),
  date: (layout, t) => asTime(t).Format(layout),
  tz: (zone, t) => {
    const name = String(zone);
    new Intl.DateTimeFormat('en-US', { timeZone: name === 'Local' ? undefined : name });
    return new GoTime(asTime(t).ms, name === 'Local' ? Intl.DateTimeFormat().resolvedOptions().timeZone : name);
  },
  now: () => new GoTime(Date.now()),
  since: (t) => new GoDuration(Date.now() - asTime(t).ms),
  toDate: (_layout, s) => {
    const ms = Date.parse(formatValue(s));
    return new GoTime(Number.isNaN(ms) ? new GoTime(0).ms : ms);
  },
  mustToDate: (_layout, s) => {
    const ms = Date.parse(formatValue(s));
    if (Number.isNaN(ms)) throw new Error(`parsing time "${formatValue(s)}": cannot parse`);
    return new GoTime(ms);
  },
  addDuration: (ds, t) => asTime(t).ms + parseGoDuration(formatValue(ds)),
  toJson: (v) => goJson(v),
  base64encode: (s) => Buffer.from(formatValue(s), 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_'),
  base64decode: (s) => Buffer.from(formatValue(s).replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'),
  list: (...a) => a,
  append: (slice, ...a) => [...(Array.isArray(slice) ? slice : []), ...a],
  dict: (...a) => {
    if (a.length % 2 !== 0) throw new Error('dict requires an even number of arguments');
    const out: Record<string, unknown> = {};
    for (let i = 0; i < a.length; i += 2) {
      if (typeof a[i] !== 'string') throw new Error('dict keys must be strings');
      out[a[i] as string] = a[i + 1];
    }
    return out;
  },
  join: (sep, list) =>
    Array.isArray(list)
      ? list.map(formatValue).join(String(sep))
      : list === undefined || list === null || list === ''
        ? ''
        : formatValue(list),
  routeLabels: () => '',
};
