import { compileRegex, type Regex } from '../../../libs/text/regex.ts';
import { alertmanagerFunctions } from './am-functions.ts';
import { formatG, formatValue, sprintf } from './go-format.ts';

/**
 * Template functions: Go's builtins, Prometheus's
 * (https://prometheus.io/docs/prometheus/latest/configuration/template_reference/)
 * and Alertmanager's (toUpper, join, match, safeHtml …). Numbers given as strings are parsed, as Prometheus does.
 */
export type TemplateFn = (...args: unknown[]) => unknown;

export interface FunctionContext {
  /** Runs a PromQL query for `query`; may give no samples (Pharos has no local TSDB to ask by default). */
  query?: (q: string) => { labels: Record<string, string>; value: number }[];
  externalUrl?: string;
  /** Notification templates get Alertmanager's functions (and its `title`); rule templates Prometheus's. */
  dialect?: 'prometheus' | 'alertmanager';
}

const num = (v: unknown): number => {
  if (typeof v === 'number') return v;
  const n = Number(String(v).trim());
  if (String(v).trim() === '' || Number.isNaN(n)) {
    if (/^[-+]?(nan|inf)/i.test(String(v).trim()))
      return String(v).toLowerCase().includes('nan') ? NaN : String(v).startsWith('-') ? -Infinity : Infinity;
    throw new Error(`cannot convert "${formatValue(v)}" to a number`);
  }
  return n;
};

export function humanize(input: unknown): string {
  let v = num(input);
  if (v === 0 || !Number.isFinite(v)) return formatG(v, 4);
  const big = ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
  const small = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of big) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    for (const p of small) {
      if (Math.abs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
  }
  return `${formatG(v, 4)}${prefix}`;
}

export function humanize1024(input: unknown): string {
  let v = num(input);
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return formatG(v, 4);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return `${formatG(v, 4)}${prefix}`;
}

export function humanizeDuration(input: unknown): string {
  let v = num(input);
  if (!Number.isFinite(v)) return formatG(v, 4);
  if (v === 0) return '0s';
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    v = Math.abs(v);
    const d = Math.trunc(v);
    const [s, m, h, days] = [d % 60, Math.trunc(d / 60) % 60, Math.trunc(d / 3600) % 24, Math.trunc(d / 86400)];
    if (days) return `${sign}${days}d ${h}h ${m}m ${s}s`;
    if (h) return `${sign}${h}h ${m}m ${s}s`;
    if (m) return `${sign}${m}m ${s}s`;
    return `${sign}${formatG(v, 4)}s`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${formatG(v, 4)}${prefix}s`;
}

const truthy = (v: unknown): boolean =>
  !(
    v === undefined ||
    v === null ||
    v === false ||
    v === 0 ||
    v === '' ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)
  );

export { truthy };

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new Error(`incompatible types for comparison: ${typeof a} and ${typeof b}`);
}

const html = (s: unknown) =>
  String(formatValue(s))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&#34;')
    .replace(/'/g, '&#39;');

function goTitle(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, pre: string, c: string) => pre + c.toUpperCase());
}

/**
 * Prometheus's and Alertmanager's `reReplaceAll` and `match` compile with Go's regexp (unanchored, `.` stops at
 * `\n`): RE2, so a rule's template cannot backtrack for minutes. An invalid pattern fails the template, as
 * Go's regexp.MustCompile does.
 */
function re(pattern: unknown): Regex {
  return compileRegex(String(pattern));
}

export function builtins(ctx: FunctionContext): Record<string, TemplateFn> {
  return {
    // Go text/template builtins
    and: (...a) => a.find((x) => !truthy(x)) ?? a[a.length - 1],
    or: (...a) => a.find((x) => truthy(x)) ?? a[a.length - 1],
    not: (a) => !truthy(a),
    len: (a) =>
      typeof a === 'string' || Array.isArray(a) ? a.length : a && typeof a === 'object' ? Object.keys(a).length : 0,
    index: (a, ...keys) =>
      keys.reduce<unknown>((acc, k) => (acc == null ? undefined : (acc as Record<string, unknown>)[String(k)]), a),
    print: (...a) =>
      a
        .map((x, i) => (i > 0 && typeof x !== 'string' && typeof a[i - 1] !== 'string' ? ' ' : '') + formatValue(x))
        .join(''),
    println: (...a) => `${a.map(formatValue).join(' ')}\n`,
    printf: (f, ...a) => sprintf(String(f), a),
    html,
    // url.QueryEscape: only letters, digits and -_.~ stay; a space is '+'.
    urlquery: (...a) =>
      encodeURIComponent(a.map(formatValue).join(''))
        .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%20/g, '+'),
    js: (s) => JSON.stringify(formatValue(s)).slice(1, -1),
    eq: (a, ...bs) => bs.some((b) => a === b),
    ne: (a, b) => a !== b,
    lt: (a, b) => compare(a, b) < 0,
    le: (a, b) => compare(a, b) <= 0,
    gt: (a, b) => compare(a, b) > 0,
    ge: (a, b) => compare(a, b) >= 0,
    // Prometheus
    humanize,
    humanize1024,
    humanizeDuration,
    humanizePercentage: (v) => `${formatG(num(v) * 100, 4)}%`,
    humanizeTimestamp: (v) => {
      const n = num(v);
      return Number.isFinite(n)
        ? new Date(n * 1000).toISOString().replace('T', ' ').replace('Z', ' +0000 UTC')
        : formatG(n, 4);
    },
    toTime: (v) => new Date(num(v) * 1000),
    toUpper: (s) => formatValue(s).toUpperCase(),
    toLower: (s) => formatValue(s).toLowerCase(),
    title: (s) => goTitle(formatValue(s)),
    trimSpace: (s) => formatValue(s).trim(),
    reReplaceAll: (p, r, s) => re(p).replaceAll(formatValue(s), String(r)),
    match: (p, s) => re(p).test(formatValue(s)),
    safeHtml: (s) => formatValue(s),
    safeUrl: (s) => formatValue(s),
    stripPort: (s) => formatValue(s).replace(/^\[?([^\]]*?)\]?(:\d+)?$/, '$1'),
    stripDomain: (s) => formatValue(s).replace(/^([^.:]+)[^:]*(:\d+)?$/, '$1$2'),
    query: (q) => ctx.query?.(String(q)) ?? [],
    first: (v) => (Array.isArray(v) ? v[0] : undefined),
    label: (name, sample) =>
      ((sample as { labels?: Record<string, string> } | undefined)?.labels ?? {})[String(name)] ?? '',
    value: (sample) => (sample as { value?: number } | undefined)?.value,
    strvalue: (sample) => (sample as { labels?: Record<string, string> } | undefined)?.labels?.__value__ ?? '',
    sortByLabel: (name, v) =>
      Array.isArray(v)
        ? [...v].sort((a, b) => compare(a?.labels?.[String(name)] ?? '', b?.labels?.[String(name)] ?? ''))
        : v,
    args: (...a) => Object.fromEntries(a.map((x, i) => [`arg${i}`, x])),
    externalURL: () => ctx.externalUrl ?? '',
    pathPrefix: () => (ctx.externalUrl ? new URL(ctx.externalUrl).pathname.replace(/\/$/, '') : ''),
    parseDuration: (s) => num(String(s).replace(/s$/, '')),
    // Alertmanager
    join: (sep, list) => (Array.isArray(list) ? list.map(formatValue).join(String(sep)) : formatValue(list)),
    stringSlice: (...a) => a.map(formatValue),
    ...(ctx.dialect === 'alertmanager' ? alertmanagerFunctions : {}),
  };
}
