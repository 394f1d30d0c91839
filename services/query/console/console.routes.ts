import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { isUnrestricted } from '../../../libs/auth/principal.ts';
import type { ClustersService } from './clusters.service.ts';
import { clustersResponseSchema, meResponseSchema } from './console.schemas.ts';

/** GET /v1/me and GET /v1/clusters: what the console needs that no other API answers. Thin over the service. */
export function consoleRoutes(clusters: ClustersService): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const tags = ['console'];
    app.get(
      '/v1/me',
      {
        config: { access: { role: 'viewer' } },
        schema: { tags, summary: 'The caller: name, role and scope', response: { 200: meResponseSchema } },
      },
      async (req) => {
        const { name, role, via, scope } = req.principal;
        return {
          name,
          role,
          via,
          scope: { clusters: [...scope.clusters], namespaces: [...scope.namespaces] },
          restricted: !isUnrestricted(scope.clusters) || !isUnrestricted(scope.namespaces),
        };
      },
    );
    app.get(
      '/v1/clusters',
      {
        config: { access: { role: 'viewer' } },
        schema: {
          tags,
          summary: 'Configured and seen clusters: Prometheus health, collector activity, indexer lag',
          response: { 200: clustersResponseSchema },
        },
      },
      async (req) => clusters.list(req.principal.scope),
    );
  };
}
