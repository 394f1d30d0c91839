import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { nodeGraphFrames } from '../../../libs/traces/topology.ts';
import { queryTime } from '../records/records-query.ts';
import { nodeGraphResponseSchema, topologyQuerySchema, topologyResponseSchema } from './traces.schemas.ts';
import type { TracesService } from './traces.service.ts';
import type { TopologySource } from '../../../libs/traces/topology-merge.ts';

/**
 * GET /v1/topology: the service graph across clusters, from spans and from mesh metrics (Istio, the Collector's
 * servicegraph connector) through the federation. `format=nodegraph` answers Grafana's Node
 * Graph frames (`nodes` and `edges`, each `{name, fields: [{name, type, values}]}`) for a JSON data source.
 */
export function topologyRoutes(service: TracesService): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/v1/topology',
      {
        config: { access: { role: 'viewer' } },
        schema: {
          tags: ['traces'],
          summary:
            'Service topology from spans and mesh metrics: nodes (service, cluster, namespace), edges with rates and latency',
          querystring: topologyQuerySchema,
          response: { 200: z.union([topologyResponseSchema, nodeGraphResponseSchema]) },
        },
      },
      async (req) => {
        const q = req.query;
        const t = await service.topology(
          {
            start: q.start === undefined ? undefined : queryTime(q.start),
            end: q.end === undefined ? undefined : queryTime(q.end),
            cluster: q.cluster,
            namespace: q.namespace,
            sources: q.sources?.split(',') as TopologySource[] | undefined,
          },
          req.principal.scope,
        );
        if (q.format === 'nodegraph') return { start: t.start, end: t.end, ...nodeGraphFrames(t) };
        return t;
      },
    );
  };
}
