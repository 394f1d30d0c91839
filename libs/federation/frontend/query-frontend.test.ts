import fc from 'fast-check';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MemoryLruCache } from '../../cache/memory-lru.cache.ts';
import { frontendMetrics } from './frontend.metrics.ts';
import type { Answer, InstantAsk, MatrixSeries, RangeAsk } from './frontend.types.ts';
import { QueryFrontend, type FrontendSettings } from './query-frontend.ts';

const HOUR = 3_600_000;
const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z, seconds

/**
 * A fake engine that answers like Prometheus: each step on its own. Series `a` exists at every step, `b` only
 * at every third one (a series that comes and goes), values a function of (query, series, time, data version).
 */
class FakeEngine {
  calls: { kind: string; start?: number; end?: number; time?: number }[] = [];
  version = 1;
  /** Clusters reported per call; a test makes one fail. */
  clusters: Answer['clusters'] = { east: { status: 'ok' }, west: { status: 'ok' } };
  warnings: string[] = [];

  private pointsAt(query: string, tMs: number): { metric: Record<string, string>; value: string }[] {
    const v = (name: string) => String((query.length * 7 + tMs / 1000 + name.charCodeAt(0)) * this.version);
    const out = [{ metric: { s: 'a' }, value: v('a') }];
    if ((tMs / 1000) % 3 === 0) out.push({ metric: { s: 'b' }, value: v('b') });
    return out;
  }

  readonly range = async (q: RangeAsk): Promise<Answer> => {
    this.calls.push({ kind: 'range', start: q.start, end: q.end });
    if (q.query === 'bad(') throw new Error('parse error');
    const startMs = Math.round(q.start * 1000);
    const stepMs = Math.round(q.step * 1000);
    const series = new Map<string, MatrixSeries>();
    for (let t = startMs; t <= Math.round(q.end * 1000); t += stepMs) {
      for (const p of this.pointsAt(q.query, t)) {
        const s = series.get(p.metric.s as string) ?? { metric: p.metric, values: [] };
        s.values?.push([t / 1000, p.value]);
        series.set(p.metric.s as string, s);
      }
    }
    return {
      resultType: 'matrix',
      result: [...series.values()],
      warnings: [...this.warnings],
      clusters: structuredClone(this.clusters),
    };
  };

  readonly instant = async (q: InstantAsk): Promise<Answer> => {
    this.calls.push({ kind: 'instant', time: q.time });
    const tMs = Math.round(q.time * 1000);
    return {
      resultType: 'vector',
      result: this.pointsAt(q.query, tMs).map((p) => ({ metric: p.metric, value: [q.time, p.value] })),
      warnings: [],
      clusters: structuredClone(this.clusters),
    };
  };
}

const SETTINGS: FrontendSettings = {
  enabled: true,
  maxFreshnessMs: 5 * 60_000,
  splitIntervalMs: HOUR,
  splitParallelism: 2,
  ttlSeconds: 3600,
  maxItemBytes: 2 ** 20,
  maxPointsPerSeries: 11_000,
  maxSamples: 1_000_000,
};

function setup(opts: { now?: number; settings?: Partial<FrontendSettings> } = {}) {
  const engine = new FakeEngine();
  const cache = new MemoryLruCache({ maxBytes: 64 * 2 ** 20 });
  const registry = new Registry();
  const metrics = frontendMetrics(registry, cache);
  let versions = '2.42';
  const clock = { now: opts.now ?? (T0 + 30 * 86_400) * 1000 };
  const frontend = new QueryFrontend({
    engine,
    cache,
    settings: { ...SETTINGS, ...opts.settings },
    fingerprint: 'f',
    memberVersions: async () => versions,
    metrics,
    now: () => clock.now,
  });
  const count = async (name: string) =>
    ((await registry.getSingleMetric(name)?.get())?.values ?? []).reduce((a, v) => a + v.value, 0);
  return { engine, cache, frontend, clock, count, registry, setVersions: (v: string) => (versions = v) };
}

const range = (
  query: string,
  { start, end, step }: { start: number; end: number; step: number },
  extra: Partial<RangeAsk> = {},
): RangeAsk => ({ query, start, end, step, ...extra });

describe('QueryFrontend, range queries', () => {
  it('answers exactly what the engine answers for the whole window, cold and warm, for any window and step', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 * 86_400 }),
        fc.integer({ min: 0, max: 86_400 }),
        fc.constantFrom(30, 60, 300, 3600),
        async (offset, len, step) => {
          const { engine, frontend } = setup();
          const q = range('sum(x)', { start: T0 + offset, end: T0 + offset + len, step });
          const expected = await new FakeEngine().range(q);
          const cold = await frontend.range(q);
          expect(cold.result).toEqual(expected.result);
          const callsCold = engine.calls.length;
          const warm = await frontend.range(q);
          expect(warm.result).toEqual(expected.result);
          expect(engine.calls.length).toBe(callsCold);
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);

  it('asks the engine to check the whole request before splitting it: a limit over the whole range is not dodged by its parts', async () => {
    const { engine } = setup();
    const checked: RangeAsk[] = [];
    const refusing = new QueryFrontend({
      engine: {
        range: engine.range,
        instant: engine.instant,
        checkRange: async (q: RangeAsk) => {
          checked.push(q);
          throw new Error('over federation.maxSubqueryPointsPerSeries');
        },
      },
      cache: new MemoryLruCache({ maxBytes: 2 ** 20 }),
      settings: SETTINGS,
      fingerprint: 'f',
      memberVersions: async () => '2.42',
      metrics: frontendMetrics(new Registry(), new MemoryLruCache({ maxBytes: 2 ** 20 })),
      now: () => (T0 + 30 * 86_400) * 1000,
    });
    const q = range('max_over_time(x[1h:1s])', { start: T0, end: T0 + 3 * 86_400, step: 3600 });
    await expect(refusing.range(q)).rejects.toThrow('maxSubqueryPointsPerSeries');
    expect(checked).toEqual([q]);
    expect(engine.calls).toEqual([]);
  });

  it('a moved window asks the engine only for the steps it has not seen', async () => {
    const { engine, frontend, count } = setup();
    await frontend.range(range('up', { start: T0, end: T0 + 6 * 3600, step: 60 }));
    engine.calls = [];
    const moved = range('up', { start: T0 + 600, end: T0 + 6 * 3600 + 600, step: 60 });
    const answer = await frontend.range(moved);
    expect(answer.result).toEqual((await new FakeEngine().range(moved)).result);
    expect(engine.calls).toEqual([{ kind: 'range', start: T0 + 6 * 3600 + 60, end: T0 + 6 * 3600 + 600 }]);
    expect(await count('pharos_federation_cache_hits_total')).toBeGreaterThan(0);
  });

  it('never caches the last maxFreshness: the fresh tail is asked every time and reflects new data', async () => {
    const now = (T0 + 2 * 3600) * 1000;
    const { engine, frontend } = setup({ now });
    const q = range('up', { start: T0, end: T0 + 2 * 3600, step: 60 });
    await frontend.range(q);
    engine.version = 2; // samples arrived late: the engine now answers differently
    engine.calls = [];
    const again = await frontend.range(q);
    const cutoff = T0 + 2 * 3600 - 300;
    // Only steps after the cutoff are asked again (the window's last step opens a part of its own).
    expect(engine.calls.map((c) => [c.start, c.end])).toEqual([
      [cutoff + 60, T0 + 2 * 3600 - 60],
      [T0 + 2 * 3600, T0 + 2 * 3600],
    ]);
    const a = (again.result as MatrixSeries[]).find((s) => s.metric.s === 'a')!;
    const fresh = new FakeEngine();
    fresh.version = 2;
    const newest = (await fresh.range(range('up', { start: cutoff + 60, end: T0 + 2 * 3600, step: 60 })))
      .result as MatrixSeries[];
    expect(a.values!.filter(([t]) => t > cutoff)).toEqual(newest.find((s) => s.metric.s === 'a')!.values);
    // The older points came from the cache, as the engine first answered them.
    const cached = (await new FakeEngine().range(range('up', { start: T0, end: cutoff, step: 60 })))
      .result as MatrixSeries[];
    expect(a.values!.filter(([t]) => t <= cutoff)).toEqual(cached.find((s) => s.metric.s === 'a')!.values);
  });

  it('a window wholly inside the freshness window goes to the engine as it came', async () => {
    const now = (T0 + 3600) * 1000;
    const { engine, frontend, cache } = setup({ now });
    const q = range('up', { start: T0 + 3600 - 120, end: T0 + 3600, step: 15 });
    await frontend.range(q);
    expect(engine.calls).toEqual([{ kind: 'range', start: q.start, end: q.end }]);
    expect((await cache.stats()).items).toBe(0);
  });

  it('Cache-Control: no-cache answers afresh and keeps it; no-store neither reads nor keeps', async () => {
    const { engine, frontend, cache } = setup();
    const q = range('up', { start: T0, end: T0 + 3600, step: 60 });
    await frontend.range(q);
    engine.version = 3;
    engine.calls = [];
    const fresh = await frontend.range({ ...q, cacheControl: 'no-cache' });
    expect(engine.calls.length).toBeGreaterThan(0);
    const expected = new FakeEngine();
    expected.version = 3;
    expect(fresh.result).toEqual((await expected.range(q)).result);
    engine.calls = [];
    expect((await frontend.range(q)).result).toEqual(fresh.result);
    expect(engine.calls).toEqual([]);
    const items = (await cache.stats()).items;
    await frontend.range({ ...range('other', { start: T0, end: T0 + 3600, step: 60 }), cacheControl: 'no-store' });
    expect(engine.calls).toEqual([{ kind: 'range', start: T0, end: T0 + 3600 }]);
    expect((await cache.stats()).items).toBe(items);
  });

  it('keys on scope, member versions and step: none of them shares an entry', async () => {
    const { engine, frontend, setVersions } = setup();
    const q = range('up', { start: T0, end: T0 + 3600, step: 60 });
    await frontend.range({ ...q, scopeKey: 'viewer' });
    const n = engine.calls.length;
    await frontend.range({ ...q, scopeKey: 'other' });
    expect(engine.calls.length).toBeGreaterThan(n);
    const m = engine.calls.length;
    setVersions('3.16');
    await frontend.range({ ...q, scopeKey: 'viewer' });
    expect(engine.calls.length).toBeGreaterThan(m);
    const k = engine.calls.length;
    await frontend.range({ ...q, step: 30, scopeKey: 'viewer' });
    expect(engine.calls.length).toBeGreaterThan(k);
  });

  it('a cluster failing in any part sends the whole window to the engine in one piece, and nothing is kept', async () => {
    const { engine, frontend, cache } = setup();
    engine.clusters.west = { status: 'error', error: 'down' };
    const q = range('up', { start: T0, end: T0 + 3 * 3600, step: 60 });
    const a = await frontend.range(q);
    expect(engine.calls.at(-1)).toEqual({ kind: 'range', start: q.start, end: q.end });
    expect(a.clusters.west?.status).toBe('error');
    expect((await cache.stats()).items).toBe(0);
  });

  it('a failed cluster in a window of one part: the engine answer is returned as it is, not asked for twice', async () => {
    const { engine, frontend, cache } = setup();
    engine.clusters.west = { status: 'error', error: 'timed out' };
    const q = range('up', { start: T0 + 600, end: T0 + 1200, step: 60 });
    const a = await frontend.range(q);
    expect(engine.calls).toEqual([{ kind: 'range', start: q.start, end: q.end }]);
    expect(a.clusters.west?.status).toBe('error');
    expect((await cache.stats()).items).toBe(0);
  });

  it('answers with warnings are passed on and not kept', async () => {
    const { engine, frontend, cache } = setup();
    engine.warnings = ['PromQL warning'];
    const a = await frontend.range(range('up', { start: T0, end: T0 + 3600, step: 60 }));
    expect(a.warnings).toEqual(['PromQL warning']);
    expect((await cache.stats()).items).toBe(0);
  });

  it('passes through, whole and uncached: @ and negative offsets, bad windows, too many steps, the switch off', async () => {
    const cases: [string, RangeAsk, Partial<FrontendSettings>?][] = [
      ['at', range('up @ end()', { start: T0, end: T0 + 7200, step: 60 })],
      ['neg offset', range('up offset -5m', { start: T0, end: T0 + 7200, step: 60 })],
      ['end before start', range('up', { start: T0 + 10, end: T0, step: 60 })],
      ['too many steps', range('up', { start: T0, end: T0 + 7200, step: 60 }), { maxPointsPerSeries: 10 }],
      ['disabled', range('up', { start: T0, end: T0 + 7200, step: 60 }), { enabled: false }],
    ];
    for (const [, q, settings] of cases) {
      const { engine, frontend, cache } = setup({ settings });
      await frontend.range(q);
      expect(engine.calls).toEqual([{ kind: 'range', start: q.start, end: q.end }]);
      expect((await cache.stats()).items).toBe(0);
    }
  });

  it('the engine’s errors come through; a corrupt entry reads as a miss', async () => {
    const { frontend, cache, engine } = setup();
    await expect(frontend.range(range('bad(', { start: T0, end: T0 + 3600, step: 60 }))).rejects.toThrow('parse error');
    const q = range('up', { start: T0, end: T0 + 1800, step: 60 });
    await frontend.range(q);
    const keys = [...(cache as unknown as { slots: Map<string, unknown> }).slots.keys()];
    for (const k of keys) await cache.set(k, Buffer.from('{"extents":[{"startMs":"x"}]}'), 60);
    engine.calls = [];
    expect((await frontend.range(q)).result).toEqual((await new FakeEngine().range(q)).result);
    expect(engine.calls.length).toBe(1);
  });

  it('refuses a joined answer over maxSamples', async () => {
    const { frontend } = setup({ settings: { maxSamples: 100 } });
    await expect(frontend.range(range('up', { start: T0, end: T0 + 7200, step: 60 }))).rejects.toMatchObject({
      code: 'PHAROS_ERR_LIMIT',
    });
  });
});

describe('QueryFrontend, instant queries', () => {
  it('caches an answer by its time once it is older than maxFreshness', async () => {
    const now = (T0 + 3600) * 1000;
    const { engine, frontend, count } = setup({ now });
    const old: InstantAsk = { query: 'up', time: T0 };
    const first = await frontend.instant(old);
    expect(await frontend.instant(old)).toEqual(first);
    expect(engine.calls.length).toBe(1);
    expect(await count('pharos_federation_cache_hits_total')).toBe(1);
    expect(await count('pharos_federation_cache_misses_total')).toBe(1);
    const fresh: InstantAsk = { query: 'up', time: T0 + 3600 - 60 };
    await frontend.instant(fresh);
    await frontend.instant(fresh);
    expect(engine.calls.length).toBe(3);
    await frontend.instant({ ...old, scopeKey: 'someone else' });
    expect(engine.calls.length).toBe(4);
  });
});
