import { federationConfigSchema } from '../config/sections/federation.ts';
import type { ServiceContext } from './context.ts';
import { FederatedQuery } from '../federation/federated-query.ts';
import { frontFederation } from '../federation/federation-frontend.ts';
import type { FederatedQueryService } from '../federation/federation.types.ts';
import { HttpClusterClient } from '../federation/prometheus.client.ts';

export type {
  FederatedQueryService,
  FederatedResult,
  PromSample,
  InstantQuery,
  RangeQuery,
  SeriesQuery,
  LabelsQuery,
  ListResult,
  ClusterStatus,
} from '../federation/federation.types.ts';

/**
 * The shared federated PromQL engine, created once per process, behind the query frontend (split range
 * queries, results cache: federation.cache). The alert engine and dashboards evaluate their queries through
 * it, exactly as the /prometheus API does.
 */
export function getFederation(ctx: ServiceContext): Promise<FederatedQueryService> {
  return ctx.resources.get('federation', async () => {
    const limits = federationConfigSchema.parse(ctx.config.federation ?? {});
    const clusters = ctx.config.clusters ?? [];
    const engine = new FederatedQuery({ clusters, limits, client: new HttpClusterClient(limits.maxResponseBytes) });
    // The members' versions are learned at start and refreshed every federation.memberInfoRefreshMs.
    engine.members.start();
    const fronted = frontFederation({ engine, clusters, limits, metrics: ctx.metrics, logger: ctx.logger });
    return {
      value: fronted.service,
      close: async () => {
        await engine.members.close();
        await fronted.close();
      },
    };
  });
}
