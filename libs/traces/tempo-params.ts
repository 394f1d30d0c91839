import { InputError } from '../errors/errors.ts';

/**
 * Parameters of Tempo's HTTP API (grafana/tempo docs/sources/tempo/api_docs, "Search"): durations in Go's
 * syntax (`100ms`, `1.5s`, `1h30m`), `tags` in logfmt (`service.name=cart http.status_code=500
 * name="GET /cart"`), times in Unix seconds.
 */
const UNIT_NANOS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;

/** A Go duration → nanoseconds; InputError naming `param` when it is not one. */
export function goDurationNanos(text: string, param: string): number {
  if (!GO_DURATION.test(text))
    throw new InputError(`${param}: "${text}" is not a duration (100ms, 1.5s, 2m, 1h30m)`, [
      { path: param, message: 'not a duration' },
    ]);
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g))
    total += Number(m[1]) * (UNIT_NANOS[m[2] as string] as number);
  return Math.round(total);
}

/** Tag names may not hold a double quote (they are quoted inside store paths) and are at most 256 characters. */
export const TAG_KEY = /^[^"\s=]{1,256}$/;

/** logfmt `key=value key2="quoted value"` → pairs; InputError for text that is not logfmt. */
export function parseLogfmtTags(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /\s*([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"|([^\s"]*))\s*/y;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) {
      if (text.slice(at).trim() === '') break;
      throw new InputError(`tags: "${text}" is not logfmt (key=value key2="a value")`, [
        { path: 'tags', message: 'not logfmt' },
      ]);
    }
    const key = m[1] as string;
    if (!TAG_KEY.test(key))
      throw new InputError(`tags: "${key}" is not a tag name`, [{ path: 'tags', message: 'bad tag name' }]);
    out[key] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] as string);
    at = re.lastIndex;
  }
  return out;
}
