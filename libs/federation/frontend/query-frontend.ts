import type { ByteCache } from '../../cache/byte-cache.ts';
import { LimitError } from '../../errors/errors.ts';
import { cacheKey, type KeyParts } from './cache-key.ts';
import { decodeAnswer, encodeAnswer } from './entry-codec.ts';
import { joinMeta, joinSeries } from './extents.ts';
import type { FrontendMetrics } from './frontend.metrics.ts';
import type { Answer, InstantAsk, QueryFunctions, RangeAsk } from './frontend.types.ts';
import { answerPart, isClean, type PartAnswer } from './range-part.ts';
import { gridOf, partIntervalMs, phaseOf, splitGrid } from './range-split.ts';

export interface FrontendSettings {
  enabled: boolean;
  maxFreshnessMs: number;
  splitIntervalMs: number;
  splitParallelism: number;
  ttlSeconds: number;
  maxItemBytes: number;
  /**
   * The engine's own limits: a request over maxPointsPerSeries goes to it whole (it refuses); maxSamples bounds the
   * joined answer.
   */
  maxPointsPerSeries: number;
  maxSamples: number;
}

export interface QueryFrontendOptions<A extends Answer> {
  engine: QueryFunctions<A>;
  cache: ByteCache;
  settings: FrontendSettings;
  /** The configured clusters and limits, as one string: part of every key. */
  fingerprint: string;
  /** The members' versions, as one string (part of every key); asked once per query. */
  memberVersions: (signal?: AbortSignal) => Promise<string>;
  metrics: FrontendMetrics;
  now?: () => number;
}

/**
 * A query the frontend passes through whole, uncached: `@` (times of its own, start() and end(), which the
 * request's window decides) and negative or computed offsets (which read past the evaluation time, into data
 * that may still change). Read from the text, so `@` inside a label value counts too: conservative, never wrong.
 */
export const PINNED = /@|\boffset\s*[-(]/i;

/**
 * The query frontend (issue 21, after Cortex's and Thanos's): range queries split at multiples of the split
 * interval, each part's answer cached with the time spans it covers (extents), so a reload asks the engine
 * only for what it lacks and for the last maxFreshness; instant queries cached by their time. It takes the
 * engine's two query functions and returns two of the same shape.
 */
export class QueryFrontend<A extends Answer> implements QueryFunctions<A> {
  private readonly now: () => number;

  constructor(private readonly opts: QueryFrontendOptions<A>) {
    this.now = opts.now ?? Date.now;
  }

  readonly instant = async (q: InstantAsk, signal?: AbortSignal): Promise<A> => {
    const engine = this.opts.engine.instant;
    if (!this.usable(q) || !Number.isFinite(q.time)) return engine(q, signal);
    const timeMs = Math.round(q.time * 1000);
    if (timeMs > this.now() - this.opts.settings.maxFreshnessMs) return engine(q, signal);
    const key = this.key(q, {
      kind: 'instant',
      memberVersions: await this.opts.memberVersions(signal),
      window: { timeMs },
    });
    if (q.cacheControl !== 'no-cache') {
      const hit = decodeAnswer<A>((await this.opts.cache.getMany([key], signal)).get(key));
      this.count(hit !== undefined, 'instant');
      if (hit) return hit;
    }
    const answer = await engine(q, signal);
    const buf = isClean(answer) ? encodeAnswer(answer) : undefined;
    if (buf && buf.byteLength <= this.opts.settings.maxItemBytes)
      await this.opts.cache.set(key, buf, this.opts.settings.ttlSeconds);
    return answer;
  };

  readonly range = async (q: RangeAsk, signal?: AbortSignal): Promise<A> => {
    const engine = this.opts.engine.range;
    const s = this.opts.settings;
    const grid = gridOf(q);
    const cacheableUntilMs = this.now() - s.maxFreshnessMs;
    // Whatever the engine must refuse, or could not be cached at all, goes to it as it came.
    if (!this.usable(q) || !grid || grid.steps > s.maxPointsPerSeries || grid.startMs > cacheableUntilMs)
      return engine(q, signal);
    // The whole request against the engine's limits first (maxSubqueryPointsPerSeries counts the whole range).
    await this.opts.engine.checkRange?.(q, signal);
    const intervalMs = partIntervalMs(grid.stepMs, s.splitIntervalMs);
    const parts = splitGrid(grid, intervalMs);
    const versions = await this.opts.memberVersions(signal);
    const keys = parts.map((p) =>
      p.startMs <= cacheableUntilMs
        ? this.key(q, {
            kind: 'range',
            memberVersions: versions,
            window: { stepMs: grid.stepMs, phaseMs: phaseOf(grid), intervalMs, bucket: p.bucket },
          })
        : undefined,
    );
    const wanted = keys.filter((k): k is string => k !== undefined);
    const stored =
      q.cacheControl === 'no-cache' ? new Map<string, Buffer>() : await this.opts.cache.getMany(wanted, signal);
    const run = { engine, cache: this.opts.cache, ttlSeconds: s.ttlSeconds, maxItemBytes: s.maxItemBytes };
    const answers = await mapLimit(parts, s.splitParallelism, (part, i) => {
      const key = keys[i];
      return answerPart(run, {
        q,
        grid,
        part,
        key,
        stored: key === undefined ? undefined : stored.get(key),
        cacheableUntilMs,
        signal,
      });
    });
    for (const a of answers) if (a.hit !== undefined && q.cacheControl !== 'no-cache') this.count(a.hit, 'range');
    // A cluster that failed in one part only would be in the other parts' data: the engine, asked once for the
    // whole window, leaves it out of all of it (an answer for the whole window in one call already is that).
    if (answers.some((a) => a.failed))
      return parts.length === 1 && answers[0]?.entire ? (answers[0].entire as A) : engine(q, signal);
    return this.join(answers);
  };

  private join(answers: PartAnswer[]): A {
    const series = joinSeries(answers.map((a) => a.series));
    let points = 0;
    for (const s of series) points += (s.values?.length ?? 0) + (s.histograms?.length ?? 0);
    if (points > this.opts.settings.maxSamples)
      throw new LimitError(
        `the answer holds more than federation.maxSamples=${this.opts.settings.maxSamples} points; narrow the selectors or the time range`,
      );
    return { ...joinMeta(answers.map((a) => a.meta)), result: series } as unknown as A;
  }

  private usable(q: InstantAsk | RangeAsk): boolean {
    return this.opts.settings.enabled && q.cacheControl !== 'no-store' && !PINNED.test(q.query);
  }

  /** `window` holds what places the answer in time: the instant, or the range part's step, phase and bucket. */
  private key(
    q: InstantAsk | RangeAsk,
    { kind, memberVersions, window }: Pick<KeyParts, 'kind' | 'memberVersions' | 'window'>,
  ): string {
    return cacheKey({
      kind,
      query: q.query,
      scopeKey: q.scopeKey ?? '',
      fingerprint: this.opts.fingerprint,
      memberVersions,
      window,
    });
  }

  private count(hit: boolean, kind: KeyParts['kind']): void {
    (hit ? this.opts.metrics.hits : this.opts.metrics.misses).inc({ backend: this.opts.cache.backend, kind });
  }
}

/** fn over every item, at most `limit` at a time, results in item order. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
