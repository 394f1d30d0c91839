import { parseValue } from '../promql/literals.ts';
import type { CompactSeries } from './compact-series.ts';
import { decimalAt, isNumberByte, JsonScanner, stringAt, type JsonSink, type TokenText } from './json-scan.ts';

/**
 * Decodes a member's `query` / `query_range` answer as its chunks arrive (issue 21, Deliver 3):
 * `{"status","data":{"resultType","result":[{"metric":{…},"values":[[t,"v"],…]}]},"warnings","infos",…}`.
 * Each series' float points go straight into two Float64Arrays (CompactSeries): no text of the answer and no
 * object per point is ever held, so a big answer costs about 16 bytes a point while it is merged and evaluated.
 * Everything else (the envelope, `metric`, native histograms, a scalar or string `result`) is built as JSON.parse
 * builds it. Malformed or truncated answers throw a SyntaxError (never a partial result); so does a point that is
 * not `[number, "value"]`.
 */
export class PromAnswerStream implements JsonSink {
  private readonly scanner = new JsonScanner(this);
  private readonly frames: Frame[] = [];
  private root: unknown;
  /** The current series' points, grown by doubling, copied out to their exact length when the series closes. */
  private pt = new Float64Array(1024);
  private pv = new Float64Array(1024);
  private np = 0;
  private readonly point: Frame = { role: R.Point, key: '', value: NONE, n: 0, t: NaN, v: NaN, series: undefined };

  push(chunk: Buffer): void {
    this.scanner.push(chunk);
  }

  /** The answer, as JSON.parse would make it but for the series (CompactSeries). */
  end(): unknown {
    this.scanner.end();
    return this.root;
  }

  open(array: boolean): void {
    const top = this.frames[this.frames.length - 1];
    const role = top ? childRole(top, array) : array ? R.Array : R.Root;
    if (role === R.Point) {
      // One frame for every point: points do not nest, and a frame per point would be an object per point.
      this.point.n = 0;
      this.frames.push(this.point);
      return;
    }
    const plain = role === R.Series || role === R.Points;
    const frame: Frame = {
      role,
      key: '',
      value: plain ? NONE : array ? [] : {},
      n: 0,
      t: NaN,
      v: NaN,
      series: undefined,
    };
    if (role === R.Series) frame.series = { metric: {}, instant: false, hasValues: false };
    if (role === R.Points && top?.series) top.series.hasValues = true;
    this.frames.push(frame);
  }

  close(): void {
    const f = this.frames.pop() as Frame;
    if (f.role === R.Point) {
      if (f.n !== 2) throw new SyntaxError(`a sample is [time, "value"]: got ${f.n} elements`);
      this.addPoint(f.t, f.v);
      return;
    }
    if (f.role === R.Points) return;
    this.add(f.role === R.Series ? this.series(f) : f.value);
  }

  key(t: TokenText): void {
    (this.frames[this.frames.length - 1] as Frame).key = stringAt(t);
  }

  string(t: TokenText): void {
    const top = this.frames[this.frames.length - 1];
    if (top?.role === R.Point) {
      if (top.n++ !== 1) throw new SyntaxError('a sample is [time, "value"]: a string where the time goes');
      top.v = valueAt(t);
      return;
    }
    this.add(stringAt(t));
  }

  number(value: number): void {
    const top = this.frames[this.frames.length - 1];
    if (top?.role === R.Point) {
      if (top.n++ !== 0) throw new SyntaxError('a sample is [time, "value"]: a number where the value goes');
      top.t = value;
      return;
    }
    this.add(value);
  }

  literal(value: boolean | null): void {
    this.add(value);
  }

  /**
   * The points of a `values` array, the bulk of a matrix answer's bytes, read in one loop: as many
   * `[t,"v"]` as follow one another in `buf` exactly so written (Prometheus writes no whitespace and escapes
   * nothing in a value), each checked as the scanner checks it (the time a JSON number, the value a string
   * with no control character). It stops before anything else (a point cut by the chunk's end, whitespace, an
   * escape, a malformed point), which the scanner then reads token by token as before.
   */
  elements(buf: Buffer, at: number): number {
    if (this.frames[this.frames.length - 1]?.role !== R.Points) return at;
    const n = buf.length;
    let done = at;
    let i = at;
    while (buf[i] === 0x5b) {
      let j = i + 1;
      while (j < n && isNumberByte(buf[j] as number)) j++;
      if (buf[j] !== 0x2c || buf[j + 1] !== 0x22) break;
      const t = decimalAt(buf, i + 1, j);
      if (t === undefined) break;
      const from = j + 2;
      let k = from;
      for (let c = buf[k]; c !== undefined && c !== 0x22 && c !== 0x5c && c >= 0x20; c = buf[++k]);
      if (buf[k] !== 0x22 || buf[k + 1] !== 0x5d) break;
      this.addPoint(t, decimalAt(buf, from, k) ?? parseValue(buf.toString('utf8', from, k)));
      done = k + 2;
      if (buf[done] !== 0x2c) break;
      i = done + 1;
    }
    return done;
  }

  /** A finished value into the container around it (or the answer itself). */
  private add(value: unknown): void {
    const top = this.frames[this.frames.length - 1];
    if (!top) {
      this.root = value;
      return;
    }
    if (top.role === R.Point || top.role === R.Points) throw new SyntaxError('a sample is [time, "value"]');
    if (top.series) setSeriesKey(top.series, top.key, value);
    else if (Array.isArray(top.value)) top.value.push(value);
    else setKey(top.value as Record<string, unknown>, top.key, value);
  }

  private addPoint(t: number, v: number): void {
    if (this.np === this.pt.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.pt = grow(this.pt);
      this.pv = grow(this.pv);
    }
    this.pt[this.np] = t;
    this.pv[this.np] = v;
    this.np++;
  }

  private series(f: Frame): CompactSeries {
    const s = f.series as SeriesParts;
    const out: CompactSeries = {
      metric: s.metric,
      t: this.pt.slice(0, this.np),
      v: this.pv.slice(0, this.np),
      instant: s.instant,
      hasValues: s.hasValues,
    };
    if (s.histograms) out.histograms = s.histograms;
    this.np = 0;
    return out;
  }
}

const enum R {
  Root,
  Data,
  Result,
  Series,
  Points,
  Point,
  Object,
  Array,
}

interface SeriesParts {
  metric: Record<string, string>;
  instant: boolean;
  hasValues: boolean;
  histograms?: [number, unknown][];
}

interface Frame {
  role: R;
  /** An object's key being read. */
  key: string;
  value: unknown[] | Record<string, unknown>;
  /** A point's elements read so far, and their time and value. */
  n: number;
  t: number;
  v: number;
  series: SeriesParts | undefined;
}

/** What a container opened inside `top` (under its current key) is. */
function childRole(top: Frame, array: boolean): R {
  switch (top.role) {
    case R.Root:
      return top.key === 'data' && !array ? R.Data : array ? R.Array : R.Object;
    case R.Data:
      return top.key === 'result' && array ? R.Result : array ? R.Array : R.Object;
    case R.Result:
      return array ? R.Array : R.Series;
    case R.Series:
      if (array && top.key === 'values') return R.Points;
      if (array && top.key === 'value') {
        (top.series as SeriesParts).instant = true;
        return R.Point;
      }
      return array ? R.Array : R.Object;
    case R.Points:
      if (!array) throw new SyntaxError('a sample is [time, "value"]: got an object');
      return R.Point;
    case R.Point:
      throw new SyntaxError('a sample is [time, "value"]: got a container');
    default:
      return array ? R.Array : R.Object;
  }
}

const NONE: unknown[] = [];

/** As JSON.parse sets a key: `__proto__` too is an own property, not the object's prototype. */
function setKey(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
  else o[key] = value;
}

function setSeriesKey(s: SeriesParts, key: string, value: unknown): void {
  if (key === 'metric') s.metric = value as Record<string, string>;
  else if (key === 'histograms') s.histograms = value as [number, unknown][];
  else if (key === 'histogram') {
    s.instant = true;
    s.histograms = [value as [number, unknown]];
  }
  // Other keys are not part of Prometheus's answer (api/v1's Series and Sample) and are not kept.
}

/** A sample's value string as parseValue reads it, from its bytes when it is a plain decimal. */
function valueAt(t: TokenText): number {
  if (!t.escaped) {
    const v = decimalAt(t.buf, t.start, t.end);
    if (v !== undefined) return v;
  }
  return parseValue(stringAt(t));
}
