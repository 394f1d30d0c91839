// The differential suite (differential.int.test.ts) through the query frontend (issue 21): every compliance query
// and trap, instant and range, sent through the frontend in front of the federation over east/west/north and
// compared with the union server. Cache on: each query twice, cold (split into parts, parts cached) and warm (served
// from the cache), both compared; every range ends inside the freshness window, so its last steps are asked of the
// engine each time and joined to the cached ones. Cache off (federation.cache.enabled: false): the engine alone.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { federationConfigSchema } from '../../../libs/config/sections/federation.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { FederatedQuery } from '../../../libs/federation/federated-query.ts';
import { frontFederation } from '../../../libs/federation/federation-frontend.ts';
import { HttpClusterClient } from '../../../libs/federation/prometheus.client.ts';
import {
  clusterConfigs,
  complianceQueries,
  EVAL_TIME,
  RANGE,
  runOne,
  type DiffOutcome,
  type DiffQuery,
} from './differential.ts';
import { PUSHDOWN_TRAPS, TRAPS } from './traps.ts';

type Kind = 'instant' | 'range';

/**
 * Instant: an hour after the evaluation time (cacheable). Range: two minutes after its end, so its last 3 steps are
 * fresh.
 */
const NOW_MS: Record<Kind, number> = { instant: (EVAL_TIME + 3600) * 1000, range: (RANGE.end + 120) * 1000 };

function fronted(cache: Record<string, unknown>, nowMs: number) {
  const clusters = clusterConfigs();
  const limits = federationConfigSchema.parse({ cache });
  const engine = new FederatedQuery({ clusters, limits, client: new HttpClusterClient() });
  const registry = new Registry();
  const f = frontFederation({
    engine,
    clusters,
    limits,
    metrics: registry,
    logger: createLogger('silent'),
    now: () => nowMs,
  });
  const count = async (name: string) =>
    ((await registry.getSingleMetric(name)?.get())?.values ?? []).reduce((a, v) => a + v.value, 0);
  // runOne calls only instant() and range(), which the fronted service has with the engine's signatures.
  return { fed: f.service as unknown as FederatedQuery, count, close: f.close };
}

async function runAll(fed: FederatedQuery, queries: DiffQuery[], kind: Kind): Promise<DiffOutcome[]> {
  const outcomes: DiffOutcome[] = [];
  // A few at a time, as the plain suite: the four servers share two cores with the rest of the suite.
  for (let i = 0; i < queries.length; i += 4)
    outcomes.push(...(await Promise.all(queries.slice(i, i + 4).map((q) => runOne(fed, q, { kind })))));
  return outcomes;
}

function report(label: string, outcomes: DiffOutcome[]): Record<DiffOutcome['verdict'], number> {
  const count = (v: DiffOutcome['verdict']) => outcomes.filter((o) => o.verdict === v).length;
  const counts = {
    equal: count('equal'),
    'both-failed': count('both-failed'),
    refused: count('refused'),
    wrong: count('wrong'),
  };
  console.log(
    `[federation differential, frontend ${label}] ${outcomes.length} queries: equal ${counts.equal}, failed on both ${counts['both-failed']}, refused (422) ${counts.refused}, wrong ${counts.wrong}`,
  );
  return counts;
}

describe('federated PromQL through the query frontend, against the union Prometheus', () => {
  const queries = [...complianceQueries(), ...TRAPS, ...PUSHDOWN_TRAPS];

  it.each(['instant', 'range'] as const)(
    '%s queries, cache on: cold and warm, none wrong, warm answers from the cache',
    async (kind) => {
      // 15-minute parts: the 31 steps of the range window fall in three, on the query's own grid; the first two are
      // cacheable (the second up to its last 2 steps), the third is one fresh step.
      const f = fronted({ splitInterval: '15m', maxFreshness: '5m' }, NOW_MS[kind]);
      try {
        const cold = await runAll(f.fed, queries, kind);
        const missesCold = await f.count('pharos_federation_cache_misses_total');
        const warm = await runAll(f.fed, queries, kind);
        const hits = await f.count('pharos_federation_cache_hits_total');
        const coldCounts = report(`cache on, cold ${kind}`, cold);
        const warmCounts = report(`cache on, warm ${kind}`, warm);
        console.log(
          `[federation differential, frontend ${kind}] cache lookups: ${missesCold} misses cold, ${hits} hits warm`,
        );
        expect(cold.filter((o) => o.verdict === 'wrong')).toEqual([]);
        expect(warm.filter((o) => o.verdict === 'wrong')).toEqual([]);
        expect(warmCounts).toEqual(coldCounts);
        expect(coldCounts.equal).toBeGreaterThan(queries.length * 0.85);
        // Answered queries are served warm from the cache (range: each of its cacheable parts), all but those
        // passed through whole (`@`, negative offsets) or not kept (answers with warnings).
        expect(hits).toBeGreaterThanOrEqual(0.95 * warmCounts.equal * (kind === 'range' ? 2 : 1));
      } finally {
        await f.close();
      }
      // Each query twice, and a range query cold in four engine calls (three parts, one with a fresh tail).
    },
    400_000,
  );

  it.each(['instant', 'range'] as const)('%s queries, cache off: none wrong', async (kind) => {
    const f = fronted({ enabled: false }, NOW_MS[kind]);
    try {
      const counts = report(`cache off ${kind}`, await runAll(f.fed, queries, kind));
      expect(counts.wrong).toBe(0);
      expect(await f.count('pharos_federation_cache_misses_total')).toBe(0);
    } finally {
      await f.close();
    }
  });
});
