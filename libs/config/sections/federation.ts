import { z } from 'zod';
import { federationCacheConfigSchema } from './federation-cache.ts';

/**
 * The `federation` section: limits of federated PromQL (issue 5). Cluster endpoints live in the top-level
 * `clusters` list. The timeout is Prometheus's (--query.timeout=2m); maxSamples is a tenth of Prometheus's
 * --query.max-samples, since a point held in JavaScript objects costs about ten times its size in Prometheus.
 */
export const federationConfigSchema = z
  .object({
    /** Most series a query may gather from the clusters (after merging). */
    maxSeries: z.number().int().positive().default(500_000),
    /** Most samples (points) a query may gather from the clusters. */
    maxSamples: z.number().int().positive().default(5_000_000),
    /**
     * Most points per series one evaluation may compute: a range query's steps (Prometheus's own limit,
     * web/api/v1/api.go) and a subquery's points at each step (range / step + 1). Checked before any cluster
     * is asked (libs/promql/query-cost.ts).
     */
    maxPointsPerSeries: z.number().int().positive().default(11_000),
    /**
     * Most points per series a subquery may compute over the whole query, (query range + subquery range) /
     * step + 1: what a member Prometheus allocates for each series. Ten times maxPointsPerSeries by default.
     */
    maxSubqueryPointsPerSeries: z.number().int().positive().default(110_000),
    /** Most bytes read from one cluster's answer (memory bound while merging); over it the query fails. */
    maxResponseBytes: z
      .number()
      .int()
      .positive()
      .default(256 * 2 ** 20),
    /** Whole-query timeout; each cluster also has its own clusters[].prometheus.timeoutMs. */
    timeoutMs: z.number().int().positive().default(120_000),
    /** A failed cluster is left out with a warning (true), or fails the query (false). */
    partialResponse: z.boolean().default(true),
    /** The data file of named metric templates for /v1/metrics. */
    metricTemplatesFile: z.string().min(1).default('config/metric-templates.yaml'),
    /** The query frontend: split range queries, cache results (federation-cache.ts). */
    cache: federationCacheConfigSchema,
    /**
     * Whose PromQL rules Pharos follows (issue 16): `auto` (each member's version from its buildinfo), or 2 / 3
     * for every member. YAML numbers and strings (environment overrides) are both taken.
     */
    promqlVersion: z
      .union([z.literal('auto'), z.literal(2), z.literal(3), z.literal('2'), z.literal('3')])
      .default('auto')
      .transform((v): 'auto' | 2 | 3 => (v === 'auto' ? 'auto' : (Number(v) as 2 | 3))),
    /**
     * Prometheus 3's experimental functions: on, off, or `auto` (on when every member has
     * promql-experimental-functions).
     */
    experimentalFunctions: z
      .union([z.boolean(), z.literal('auto'), z.literal('true'), z.literal('false')])
      .default('auto')
      .transform((v): boolean | 'auto' => (v === 'true' ? true : v === 'false' ? false : v)),
    /** How often each member's buildinfo, flags and config are asked again. */
    memberInfoRefreshMs: z.number().int().positive().default(300_000),
  })
  .strict()
  .prefault({});

export type FederationConfig = z.infer<typeof federationConfigSchema>;
