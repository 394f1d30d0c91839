import { InputError } from '../errors/errors.ts';

/**
 * Durations, in milliseconds, in the three syntaxes Pharos reads:
 * - Prometheus's (prometheus/common model.ParseDuration, what PromQL, rule files and Alertmanager's model.Duration
 *   fields take): integers with units y w d h m s ms, each at most once, largest first; "0" alone is allowed;
 * - Go's time.ParseDuration (Alertmanager's newer time.Duration `timeout` fields): signed, fractions, ns us µs;
 * - the dashboard schema's looser form (units in any order, repeated: `1m30s`, `30s1m`), summed.
 */
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

const GO_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration ("1.5h", "300ms", "-1m"), or undefined; what yaml.v2 does for a time.Duration field. */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const m = /^([-+]?)((?:\d*\.?\d+(?:ns|us|µs|ms|s|m|h))+)$/.exec(text);
  if (!m) return undefined;
  let total = 0;
  for (const part of (m[2] as string).matchAll(/(\d*\.?\d+)(ns|us|µs|ms|s|m|h)/g))
    total += Number(part[1]) * (GO_UNITS[part[2] as string] as number);
  return m[1] === '-' ? -total : total;
}

/** The dashboard schema's DURATION (`^(\d+(ms|s|m|h|d|w|y))+$`, any order): its terms summed; 0 when none. */
export function sumDurationTerms(text: string): number {
  let total = 0;
  for (const m of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(m[1]) * (UNITS[m[2]!] as number);
  return total;
}
