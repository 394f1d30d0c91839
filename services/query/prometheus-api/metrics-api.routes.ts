import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { InputError } from '../../../libs/errors/errors.ts';
import type { Scope } from '../../../libs/auth/principal.ts';
import type { FederatedQueryService } from '../../../libs/federation/federation.types.ts';
import { METRIC_LEVELS, type MetricTemplates } from './metric-templates.ts';
import { MetricsApiService } from './metrics-api.service.ts';
import { parseDurationParam, parseTimeParam } from './prom-params.ts';
import { PromqlReadService } from './promql-read.service.ts';

const querySchema = z
  .object({
    metrics_filter: z.string().optional().describe('Regex over template names (anchored), default all'),
    resources_filter: z
      .string()
      .optional()
      .describe('Regex over the resource names of the level (anchored), default all'),
    cluster: z.string().optional(),
    namespace: z.string().optional(),
    time: z.string().optional().describe('Instant query time (RFC 3339 or Unix seconds); default now'),
    start: z.string().optional(),
    end: z.string().optional(),
    step: z.string().optional().describe('Duration (e.g. 60s) or seconds; with start and end, a range query'),
  })
  .strict();

/** GET /v1/metrics/{cluster|node|namespace|workload|pod|container}: KubeSphere-style named metrics. */
export function metricsApiRoutes(opts: {
  federation: () => Promise<FederatedQueryService>;
  templates: MetricTemplates;
}): FastifyPluginAsync {
  // Issue 8: the templates' PromQL runs under the caller's scope (libs/tenancy), through the same entry as the
  // Prometheus API.
  const promql = new PromqlReadService(opts);
  const serviceFor = (scope: Scope) => new MetricsApiService({ ...opts, federation: () => promql.forScope(scope) });
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/v1/metrics/:level',
      {
        config: { access: { role: 'viewer' } },
        schema: {
          params: z.object({ level: z.enum(METRIC_LEVELS) }),
          querystring: querySchema,
          tags: ['metrics'],
          summary: 'Named metric templates of one level, across clusters',
        },
      },
      async (req) => {
        const q = req.query;
        const isRange = q.start !== undefined || q.end !== undefined || q.step !== undefined;
        if (isRange && (q.start === undefined || q.end === undefined || q.step === undefined))
          throw new InputError('a range needs start, end and step together');
        const range = isRange
          ? {
              start: parseTimeParam('start', q.start, 0),
              end: parseTimeParam('end', q.end, 0),
              step: parseDurationParam('step', q.step) as number,
            }
          : undefined;
        return serviceFor(req.principal.scope).query({
          level: req.params.level,
          ...(q.metrics_filter !== undefined ? { metricsFilter: q.metrics_filter } : {}),
          ...(q.resources_filter !== undefined ? { resourcesFilter: q.resources_filter } : {}),
          ...(q.cluster ? { cluster: q.cluster } : {}),
          ...(q.namespace ? { namespace: q.namespace } : {}),
          ...(range ? { range } : { time: parseTimeParam('time', q.time, Date.now() / 1000) }),
        });
      },
    );
  };
}
