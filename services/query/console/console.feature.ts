import { topicsFor } from '../../../libs/bus/topics.ts';
import type { Feature } from '../../../libs/http/feature.ts';
import { getBus, getRecordStore } from '../../../libs/runtime/backends.ts';
import type { ServiceContext } from '../../../libs/runtime/context.ts';
import { indexerGroupId } from '../../indexer/indexer.features.ts';
import { RecordsService } from '../records/records.service.ts';
import { ClustersService } from './clusters.service.ts';
import { consoleRoutes } from './console.routes.ts';
import { PrometheusProbe } from './prometheus-probe.ts';
import { consoleUiRoutes } from './ui.routes.ts';

/**
 * The operator console of the query service: the web app at /ui (public static files; every API call it makes
 * carries the user's token) and the two APIs only it needs, /v1/me and /v1/clusters.
 */
export function consoleFeature(ctx: ServiceContext): Feature {
  const records = new RecordsService({ store: () => getRecordStore(ctx), limits: ctx.config.query });
  const topics = topicsFor(ctx.config.bus);
  const clusters = new ClustersService({
    clusters: () => ctx.config.clusters ?? [],
    records,
    probe: new PrometheusProbe({ timeoutMs: 5_000, cacheMs: 10_000 }),
    indexerLag: async (kind) => (await getBus(ctx)).groupLag(topics.kind(kind), indexerGroupId(ctx, kind)),
  });
  return {
    name: 'console',
    routes: async (app) => {
      await app.register(consoleRoutes(clusters));
      await app.register(consoleUiRoutes());
    },
  };
}
