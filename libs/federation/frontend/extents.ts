import { compareLabels, labelsKey } from '../../promql/labels.ts';
import type { Answer, MatrixSeries } from './frontend.types.ts';

/** An answer without its result: resultType, warnings, per-cluster status and whatever else the engine adds. */
export type Meta = Omit<Answer, 'result'> & Record<string, unknown>;

/** A piece of a range answer over [startMs, endMs] (grid times, inclusive), as Cortex's results cache keeps them. */
export interface Extent {
  startMs: number;
  endMs: number;
  meta: Meta;
  series: MatrixSeries[];
}

export interface Span {
  startMs: number;
  endMs: number;
}

const POINT_FIELDS = ['values', 'histograms'] as const;
type Points = [number, unknown][];

function setPoints(s: MatrixSeries, field: (typeof POINT_FIELDS)[number], pts: Points): void {
  if (field === 'values') s.values = pts as [number, string][];
  else s.histograms = pts;
}

const msOf = (t: number): number => Math.round(t * 1000);

/** The spans of `range` (its ends grid times) that no extent covers. */
export function missingSpans(extents: readonly Extent[], range: Span, stepMs: number): Span[] {
  const { startMs: from, endMs: to } = range;
  const out: Span[] = [];
  let cursor = from;
  for (const e of [...extents].sort((a, b) => a.startMs - b.startMs)) {
    if (e.endMs < cursor || e.startMs > to) continue;
    if (e.startMs > cursor) out.push({ startMs: cursor, endMs: e.startMs - stepMs });
    cursor = e.endMs + stepMs;
  }
  if (cursor <= to) out.push({ startMs: cursor, endMs: to });
  return out;
}

/**
 * The points of each series within [from, to]; series left without points are dropped. A series already
 * wholly within (every cache hit on a part its extent covers) is returned as it is, not copied: cached values
 * are frozen (entry-codec.ts), so sharing them is safe.
 */
export function slice(series: readonly MatrixSeries[], from: number, to: number): MatrixSeries[] {
  const out: MatrixSeries[] = [];
  const within = ([t]: [number, unknown]) => msOf(t) >= from && msOf(t) <= to;
  const allWithin = (pts: Points | undefined): boolean =>
    pts === undefined ||
    (pts.length > 0 && isSorted(pts) && within(pts[0] as Points[number]) && within(pts.at(-1) as Points[number]));
  for (const s of series) {
    if (isPlain(s) && allWithin(s.values) && allWithin(s.histograms)) {
      out.push(s);
      continue;
    }
    const kept: MatrixSeries = { metric: s.metric };
    let any = false;
    for (const f of POINT_FIELDS) {
      const pts = s[f]?.filter(within);
      if (pts?.length) {
        setPoints(kept, f, pts);
        any = true;
      }
    }
    if (any) out.push(kept);
  }
  return out;
}

/** Only the fields slice and joinSeries write (metric, values, histograms), with at least one set of points. */
function isPlain(s: MatrixSeries): boolean {
  for (const k in s) if (k !== 'metric' && k !== 'values' && k !== 'histograms') return false;
  return s.values !== undefined || s.histograms !== undefined;
}

/**
 * Points arrays of a cache entry found in strictly increasing time carry this (not enumerable: JSON and spreads
 * leave it out). It is set just before the entry is frozen (entry-codec.ts) and read only on frozen arrays, which
 * cannot have changed since: every warm hit checked the order of every series' points twice otherwise (slice,
 * joinSeries), issue 21.
 */
const ORDERED = Symbol('ordered');

function isSorted(pts: Points): boolean {
  if (Object.isFrozen(pts) && (pts as Points & { [ORDERED]?: true })[ORDERED]) return true;
  for (let i = 1; i < pts.length; i++)
    if ((pts[i] as Points[number])[0] <= (pts[i - 1] as Points[number])[0]) return false;
  return true;
}

/** Marks the points arrays that are in order, of series about to be frozen (entry-codec.ts). */
export function markOrdered(series: readonly MatrixSeries[]): void {
  for (const s of series)
    for (const f of POINT_FIELDS) {
      const pts: Points | undefined = s[f];
      if (pts && Object.isExtensible(pts) && isSorted(pts)) Object.defineProperty(pts, ORDERED, { value: true });
    }
}

/** Points in strictly increasing time, none empty: what joinSeries would make of the series on its own. */
function inOrder(s: MatrixSeries): boolean {
  return POINT_FIELDS.every((f) => {
    const pts: Points | undefined = s[f];
    return pts === undefined || (pts.length > 0 && isSorted(pts));
  });
}

/**
 * Series of disjoint time spans joined by label set, points in time order, series in the engine's order
 * (labels compared as compareLabels does, which is how Prometheus sorts a matrix).
 */
export function joinSeries(pieces: readonly (readonly MatrixSeries[])[]): MatrixSeries[] {
  const nonEmpty = pieces.filter((p) => p.length > 0);
  if (nonEmpty.length === 1) {
    // One piece (a warm hit on one extent): nothing to join; its series are kept, not copied, when joining
    // would not change them (one series per label set, points in order).
    const only = nonEmpty[0] as readonly MatrixSeries[];
    if (
      new Set(only.map((s) => labelsKey(s.metric))).size === only.length &&
      only.every((s) => isPlain(s) && inOrder(s))
    ) {
      return [...only].sort((a, b) => compareLabels(a.metric, b.metric));
    }
  }
  const byKey = new Map<string, MatrixSeries>();
  for (const piece of pieces) {
    for (const s of piece) {
      const k = labelsKey(s.metric);
      let into = byKey.get(k);
      if (!into) byKey.set(k, (into = { metric: s.metric }));
      for (const f of POINT_FIELDS) {
        const pts: Points | undefined = s[f];
        if (pts?.length) setPoints(into, f, [...(into[f] ?? []), ...pts]);
      }
    }
  }
  const out = [...byKey.values()];
  for (const s of out) for (const f of POINT_FIELDS) s[f]?.sort((a, b) => a[0] - b[0]);
  return out.sort((a, b) => compareLabels(a.metric, b.metric));
}

/** Per-cluster statuses and warnings of several answers to parts of one query, as one answer's. */
export function joinMeta(metas: readonly Meta[]): Meta {
  const clusters: Meta['clusters'] = {};
  for (const m of metas) {
    for (const [c, s] of Object.entries(m.clusters)) if (clusters[c]?.status !== 'error') clusters[c] = s;
  }
  const warnings = [...new Set(metas.flatMap((m) => m.warnings))];
  return { ...(metas[0] as Meta), warnings, clusters };
}

/** Extents that touch or overlap (on the grid) become one; the result is sorted and disjoint. */
export function coalesce(extents: readonly Extent[], stepMs: number): Extent[] {
  const out: Extent[] = [];
  for (const e of [...extents].sort((a, b) => a.startMs - b.startMs)) {
    const last = out.at(-1);
    if (!last || e.startMs > last.endMs + stepMs) {
      out.push(e);
      continue;
    }
    if (e.endMs <= last.endMs) continue;
    const tail = slice(e.series, last.endMs + stepMs, e.endMs);
    out[out.length - 1] = {
      startMs: last.startMs,
      endMs: e.endMs,
      meta: joinMeta([last.meta, e.meta]),
      series: joinSeries([last.series, tail]),
    };
  }
  return out;
}
