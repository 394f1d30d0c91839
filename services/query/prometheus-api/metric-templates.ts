import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { zodDetails } from '../../../libs/errors/errors.ts';
import { ConfigError } from '../../../libs/config/config.loader.ts';
import { parsePromQL } from '../../../libs/promql/parser.ts';
import { PROMQL_ANY } from '../../../libs/promql/parse-options.ts';

/** The levels of the KubeSphere-style metrics API, GET /v1/metrics/{level}. */
export const METRIC_LEVELS = ['cluster', 'node', 'namespace', 'workload', 'pod', 'container'] as const;
export type MetricLevel = (typeof METRIC_LEVELS)[number];

const levelSchema = z
  .object({
    /** The label naming a resource at this level; resources_filter is matched against it. */
    resourceLabel: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/),
    metrics: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string().min(1)),
  })
  .strict();

export const metricTemplatesSchema = z
  .object({
    levels: z
      .object(Object.fromEntries(METRIC_LEVELS.map((l) => [l, levelSchema])) as Record<MetricLevel, typeof levelSchema>)
      .strict(),
  })
  .strict();

export type MetricTemplates = z.infer<typeof metricTemplatesSchema>;

/**
 * Loads and checks the templates data file at boot: every problem (schema, and each query that does not parse)
 * in one error, the result frozen.
 */
export function parseMetricTemplates(text: string, source: string): MetricTemplates {
  const parsed = metricTemplatesSchema.safeParse(parse(text));
  if (!parsed.success)
    throw new ConfigError(
      `metric templates ${source}`,
      zodDetails(parsed.error.issues).map((d) => `${d.path}: ${d.message}`),
    );
  const problems: string[] = [];
  for (const [level, def] of Object.entries(parsed.data.levels)) {
    for (const [name, query] of Object.entries(def.metrics)) {
      try {
        parsePromQL(query, PROMQL_ANY);
      } catch (err) {
        problems.push(`levels.${level}.metrics.${name}: ${(err as Error).message}`);
      }
    }
  }
  if (problems.length) throw new ConfigError(`metric templates ${source}`, problems);
  return Object.freeze(parsed.data);
}

export function loadMetricTemplates(file: string): MetricTemplates {
  return parseMetricTemplates(readFileSync(file, 'utf8'), file);
}
