import { getRecordStore, getStateStore } from '../../../libs/runtime/backends.ts';
import type { ServiceContext } from '../../../libs/runtime/context.ts';
import { parseSearch } from '../../../libs/search/search-parser.ts';
import type { RecordStore } from '../../../libs/store/record-store.ts';
import { getFederation } from '../../../libs/runtime/federation.resource.ts';
import { tracesService } from '../traces/traces.feature.ts';
import type { DashboardsDeps } from './dashboards.feature.ts';
import type { RecordsPort } from './dashboards.ports.ts';

/**
 * The real backends: the process's shared state store, record store, federated PromQL engine, and the traces
 * service (over the shared span store) for topology panels.
 */
export function dashboardBackends(ctx: ServiceContext): DashboardsDeps {
  const traces = tracesService(ctx);
  return {
    topology: async () => traces,
    stateStore: () => getStateStore(ctx),
    metrics: () => getFederation(ctx),
    records: async () => recordsPort(await getRecordStore(ctx)),
  };
}

/** Record panels search newest first, with `q` parsed by the Query API's own parser. */
export function recordsPort(store: RecordStore): RecordsPort {
  return {
    search: (kind, query, signal) => {
      const q = query.q ? parseSearch(query.q) : undefined;
      return store.search(
        kind,
        {
          filters: query.filters,
          ...(q ? { q } : {}),
          start: query.start,
          end: query.end,
          sort: 'desc',
          size: query.size,
        },
        signal,
      );
    },
  };
}
