import { createHash } from 'node:crypto';
import type { Registry } from 'prom-client';
import { CACHE_REGISTRY } from '../cache/registry.ts';
import type { FederationConfig } from '../config/sections/federation.ts';
import { DerivedCache } from './frontend/derived-cache.ts';
import { frontendMetrics } from './frontend/frontend.metrics.ts';
import { MetadataCache } from './frontend/metadata-cache.ts';
import { QueryFrontend, type FrontendSettings } from './frontend/query-frontend.ts';
import type { Logger } from '../logging/logger.ts';
import { parseDuration } from '../time/duration.ts';
import type { FederatedQueryService, FederatedResult } from './federation.types.ts';
import type { ClusterConfig } from './prometheus.client.ts';

export interface FederationFrontendOptions {
  engine: FederatedQueryService;
  clusters: readonly ClusterConfig[];
  limits: FederationConfig;
  metrics: Registry;
  logger: Logger;
  now?: () => number;
}

/** The engine as other code sees it once the frontend is in front, and what to close at shutdown. */
export interface FrontedFederation {
  service: FederatedQueryService;
  close(): Promise<void>;
}

/**
 * Puts the query frontend (libs/federation/frontend) in front of the federated engine: instant and range
 * queries go through it, every other call (series, labels, metadata, …) straight to the engine.
 */
export function frontFederation(opts: FederationFrontendOptions): FrontedFederation {
  const cfg = opts.limits.cache;
  const cache = CACHE_REGISTRY[cfg.backend](cfg, opts.logger.child({ component: 'federation-cache' }));
  const settings = settingsOf(opts.limits);
  const shared = {
    cache,
    fingerprint: fingerprintOf(opts.clusters, opts.limits),
    memberVersions: memberVersionsOf(opts.engine),
    metrics: frontendMetrics(opts.metrics, cache),
    ...(opts.now ? { now: opts.now } : {}),
  };
  const frontend = new QueryFrontend<FederatedResult>({
    ...shared,
    engine: {
      instant: (q, signal) => opts.engine.instant(q, signal),
      range: (q, signal) => opts.engine.range(q, signal),
      checkRange: async (q, signal) => (mayHoldSubquery(q.query) ? opts.engine.checkRange?.(q, signal) : undefined),
    },
    settings,
  });
  const metadataTtlSeconds = parseDuration(cfg.metadataTtl) / 1000;
  const metadata = new MetadataCache({ ...shared, settings: { ...settings, ttlSeconds: metadataTtlSeconds } });
  const derived = new DerivedCache({ ...shared, settings: { ...settings, metadataTtlSeconds } });
  return { service: withFrontend(opts.engine, { frontend, metadata, derived }), close: () => cache.close() };
}

function settingsOf(limits: FederationConfig): FrontendSettings {
  const c = limits.cache;
  return {
    enabled: c.enabled,
    maxFreshnessMs: parseDuration(c.maxFreshness),
    splitIntervalMs: parseDuration(c.splitInterval),
    splitParallelism: c.splitParallelism,
    ttlSeconds: parseDuration(c.ttl) / 1000,
    maxItemBytes: c.maxItemBytes,
    maxPointsPerSeries: limits.maxPointsPerSeries,
    maxSamples: limits.maxSamples,
  };
}

/**
 * What answers depend on in the configuration: the clusters asked, the limits that decide refusals, and whose
 * PromQL rules are followed (`promqlVersion: 2` counts a window's left-edge sample that 3.x leaves out).
 */
function fingerprintOf(clusters: readonly ClusterConfig[], limits: FederationConfig): string {
  const members = clusters.map((c) => [c.name, c.prometheus.url, c.prometheus.replicas, c.prometheus.replicaLabel]);
  const {
    maxSeries,
    maxSamples,
    maxPointsPerSeries,
    maxSubqueryPointsPerSeries,
    maxResponseBytes,
    promqlVersion,
    experimentalFunctions,
  } = limits;
  const answersDependOn = [
    members,
    maxSeries,
    maxSamples,
    maxPointsPerSeries,
    maxSubqueryPointsPerSeries,
    maxResponseBytes,
    promqlVersion,
    experimentalFunctions,
  ];
  return createHash('sha256').update(JSON.stringify(answersDependOn)).digest('base64url');
}

/** An engine that knows its members' versions (issue 16 adds buildInfo); without it, every member reads as 2.42. */
interface VersionSource {
  clusters(): string[];
  buildInfo?(signal?: AbortSignal): Promise<{ members: Record<string, { version?: string; error?: string }> }>;
}

/**
 * The members' versions as one string, for the keys. Asked on every cache lookup: the string is made again only
 * when the engine's buildinfo is another object (FederatedQuery keeps it while the members' infos stay).
 */
function memberVersionsOf(engine: VersionSource): (signal?: AbortSignal) => Promise<string> {
  let last: { info: object; versions: string } | undefined;
  return async (signal) => {
    if (!engine.buildInfo) return 'prometheus-2.42';
    const info = await engine.buildInfo(signal);
    if (last?.info === info) return last.versions;
    const versions = JSON.stringify(
      Object.entries(info.members)
        .map(([c, m]) => [c, m.error ? 'unknown' : (m.version ?? '')])
        .sort(),
    );
    last = { info, versions };
    return versions;
  };
}

interface FrontendParts {
  frontend: QueryFrontend<FederatedResult>;
  metadata: MetadataCache;
  derived: DerivedCache;
}

/**
 * The engine with instant and range answered by the frontend, series and labels through the metadata cache, and
 * the cache of values derived from answers (`derivedCache`: rendered dashboard panels). A proxy rather than a copy
 * of each method, so whatever the engine offers besides (metadata, buildinfo, methods added later) stays reachable
 * as it is.
 */
function withFrontend(
  engine: FederatedQueryService,
  { frontend, metadata, derived }: FrontendParts,
): FederatedQueryService {
  const lists: Pick<FederatedQueryService, 'series' | 'labelNames' | 'labelValues'> = {
    series: (q, signal) =>
      metadata.answer({ kind: 'series', args: withoutDirectives(q), q, ask: () => engine.series(q, signal) }, signal),
    labelNames: (q = {}, signal) =>
      metadata.answer(
        { kind: 'labels', args: withoutDirectives(q), q, ask: () => engine.labelNames(q, signal) },
        signal,
      ),
    labelValues: (name, q = {}, signal) =>
      metadata.answer(
        {
          kind: 'label-values',
          args: [name, withoutDirectives(q)],
          q,
          ask: () => engine.labelValues(name, q, signal),
        },
        signal,
      ),
  };
  return new Proxy(engine, {
    get(target, prop) {
      if (prop === 'instant') return frontend.instant;
      if (prop === 'range') return frontend.range;
      if (prop === 'series' || prop === 'labelNames' || prop === 'labelValues') return lists[prop];
      if (prop === 'derivedCache') return derived;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** The request's arguments as the engine reads them: what the metadata cache keys on. */
function withoutDirectives<Q extends { cacheControl?: unknown; scopeKey?: unknown }>(
  q: Q,
): Omit<Q, 'cacheControl' | 'scopeKey'> {
  const { cacheControl: _c, scopeKey: _s, ...args } = q;
  return args;
}

/**
 * Whether the text can hold a subquery (`[range:step]`): only a subquery's limit
 * (federation.maxSubqueryPointsPerSeries) counts the whole range, so only then must the whole request be
 * checked before its parts are asked. Conservative (a string literal may match too); planning each range
 * query a second time cost 0.1-0.2 ms of CPU per query on the warm dashboard path.
 */
const mayHoldSubquery = (query: string): boolean => /\[[^\]]*:/.test(query);
