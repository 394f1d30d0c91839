import type { Feature } from '../../../libs/http/feature.ts';
import type { ServiceContext } from '../../../libs/runtime/context.ts';
import { getSpanStore } from '../../../libs/runtime/backends.ts';
import { getFederation } from '../../../libs/runtime/federation.resource.ts';
import { tempoRoutes } from './tempo.routes.ts';
import { topologyRoutes } from './topology.routes.ts';
import { TracesService } from './traces.service.ts';

/** Most spans in one trace answer, and edges (service pairs) in one topology (docs/traces.md, "Limits"). */
export const MAX_TRACE_SPANS = 20_000;
export const MAX_TOPOLOGY_EDGES = 10_000;

/** The traces service over the process's span store and federation; dashboards' topology panels use it too. */
export function tracesService(ctx: ServiceContext): TracesService {
  return new TracesService({
    store: () => getSpanStore(ctx),
    maxTraceSpans: MAX_TRACE_SPANS,
    maxTopologyEdges: MAX_TOPOLOGY_EDGES,
    federation: () => getFederation(ctx),
  });
}

/** The trace API under /tempo and /v1/topology (issue 22). */
export function tracesFeature(ctx: ServiceContext): Feature {
  const service = tracesService(ctx);
  return {
    name: 'traces',
    // The store at start, as the record store is: its tables and templates exist before the first request.
    async start() {
      await getSpanStore(ctx);
    },
    routes: async (app) => {
      await app.register(tempoRoutes(service));
      await app.register(topologyRoutes(service));
    },
    ready: async () => (await getSpanStore(ctx)).ping(),
  };
}
