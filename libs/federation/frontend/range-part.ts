import type { ByteCache } from '../../cache/byte-cache.ts';
import { decodeExtents, encodeExtents } from './entry-codec.ts';
import { coalesce, joinMeta, joinSeries, missingSpans, slice, type Extent, type Meta, type Span } from './extents.ts';
import type { Answer, MatrixSeries, QueryFn, RangeAsk } from './frontend.types.ts';
import { gridFloor, type Part, type RangeGrid } from './range-split.ts';

export interface PartAnswer {
  series: MatrixSeries[];
  meta: Meta;
  /** A cluster failed in some span: the caller asks the engine for the whole query instead. */
  failed: boolean;
  /** The engine's answer when it was asked for the whole part in one call (nothing came from the cache). */
  entire?: Answer;
  /** Whether the cache had a usable extent for this part (undefined: not looked up). */
  hit?: boolean;
}

export interface PartRequest {
  q: RangeAsk;
  grid: RangeGrid;
  part: Part;
  /** Undefined for a part that lies wholly in the freshness window: nothing of it is cached. */
  key: string | undefined;
  stored: Buffer | undefined;
  /** Grid times after this are too fresh to cache. */
  cacheableUntilMs: number;
  signal: AbortSignal | undefined;
}

export interface PartRunnerOptions<A extends Answer> {
  engine: QueryFn<RangeAsk, A>;
  cache: ByteCache;
  ttlSeconds: number;
  maxItemBytes: number;
}

export function metaOf(a: Answer): Meta {
  const { result: _result, ...meta } = a;
  return meta as Meta;
}

/** An answer that may be kept: every cluster answered and nothing was said about it (warnings, infos). */
export function isClean(a: Answer): boolean {
  const infos = (a as { infos?: unknown[] }).infos;
  return a.warnings.length === 0 && !infos?.length && Object.values(a.clusters).every((c) => c.status === 'ok');
}

const failedCluster = (a: Answer): boolean => Object.values(a.clusters).some((c) => c.status !== 'ok');

/**
 * One part of a range query: what its cache entry covers is read from it, the spans it lacks and the fresh
 * tail are asked of the engine, and what was computed and may be cached is written back merged into the
 * entry's extents.
 */
export async function answerPart<A extends Answer>(opts: PartRunnerOptions<A>, r: PartRequest): Promise<PartAnswer> {
  const { part, grid } = r;
  const lastCacheable = Math.min(part.endMs, gridFloor(grid, r.cacheableUntilMs));
  const kept = r.key ? usableExtents(decodeExtents(r.stored), grid, lastCacheable) : [];
  const overlapping = kept.filter((e) => e.endMs >= part.startMs && e.startMs <= part.endMs);
  const missing = r.key ? missingSpans(kept, { startMs: part.startMs, endMs: lastCacheable }, grid.stepMs) : [];
  const freshFrom = Math.max(part.startMs, lastCacheable + grid.stepMs);
  const asked: Span[] = freshFrom <= part.endMs ? [...missing, { startMs: freshFrom, endMs: part.endMs }] : missing;
  const answers = await Promise.all(
    asked.map((s) => opts.engine({ ...r.q, start: s.startMs / 1000, end: s.endMs / 1000 }, r.signal)),
  );
  const hit = r.key ? overlapping.length > 0 : undefined;
  const entire =
    answers.length === 1 &&
    overlapping.length === 0 &&
    asked[0]?.startMs === part.startMs &&
    asked[0].endMs === part.endMs
      ? answers[0]
      : undefined;
  if (answers.some(failedCluster))
    return {
      series: [],
      meta: metaOf(answers[0] as A),
      failed: true,
      ...(entire ? { entire } : {}),
      ...(hit === undefined ? {} : { hit }),
    };
  const computed: Extent[] = [];
  answers.forEach((a, i) => {
    if (i < missing.length && isClean(a))
      computed.push({ ...(missing[i] as Span), meta: metaOf(a), series: a.result as MatrixSeries[] });
  });
  if (r.key && computed.length > 0) await store(opts, r.key, coalesce([...kept, ...computed], grid.stepMs));
  const series = joinSeries([
    ...overlapping.map((e) => slice(e.series, part.startMs, part.endMs)),
    ...answers.map((a) => a.result as MatrixSeries[]),
  ]);
  const meta = joinMeta([...overlapping.map((e) => e.meta), ...answers.map(metaOf)]);
  return { series, meta, failed: false, ...(hit === undefined ? {} : { hit }) };
}

/** Extents on this grid, cut at the last cacheable time (an entry written by a replica whose clock runs ahead). */
function usableExtents(extents: Extent[], grid: RangeGrid, lastCacheable: number): Extent[] {
  return extents
    .filter(
      (e) =>
        e.startMs <= e.endMs &&
        (e.startMs - grid.startMs) % grid.stepMs === 0 &&
        (e.endMs - grid.startMs) % grid.stepMs === 0 &&
        e.startMs <= lastCacheable,
    )
    .map((e) =>
      e.endMs <= lastCacheable ? e : { ...e, endMs: lastCacheable, series: slice(e.series, e.startMs, lastCacheable) },
    );
}

async function store<A extends Answer>(opts: PartRunnerOptions<A>, key: string, extents: Extent[]): Promise<void> {
  const buf = encodeExtents(extents);
  if (buf.byteLength <= opts.maxItemBytes) await opts.cache.set(key, buf, opts.ttlSeconds);
}
