import type { Feature } from '../../../libs/http/feature.ts';
import { getRecordStore } from '../../../libs/runtime/backends.ts';
import type { ServiceContext } from '../../../libs/runtime/context.ts';
import { recordsRoutes } from './records.routes.ts';
import { RecordsService } from './records.service.ts';

/** The logs / events / audit Query API as a feature of the query service. */
export function recordsFeature(ctx: ServiceContext): Feature {
  const store = () => getRecordStore(ctx);
  const service = new RecordsService({ store, limits: ctx.config.query });
  return {
    name: 'records-query',
    routes: recordsRoutes(service),
    ready: async () => (await store()).ping(),
  };
}
