import type { Feature } from '../../../libs/http/feature.ts';
import { getRecordStore } from '../../../libs/runtime/backends.ts';
import type { ServiceContext } from '../../../libs/runtime/context.ts';
import { tailConfigSchema } from '../../../libs/config/sections/tail.ts';
import { RecordsTail } from './records-tail.ts';
import { recordsTailRoutes } from './records-tail.routes.ts';
import { recordsRoutes } from './records.routes.ts';
import { RecordsService } from './records.service.ts';

/** The logs / events / audit Query API as a feature of the query service, with its live tail. */
export function recordsFeature(ctx: ServiceContext): Feature {
  const store = () => getRecordStore(ctx);
  const service = new RecordsService({ store, limits: ctx.config.query });
  // Contexts built by hand (tests of other features) may lack the section: its defaults apply.
  const tail = new RecordsTail({
    store,
    limits: ctx.config.query,
    tail: tailConfigSchema.parse(ctx.config.query.tail ?? {}),
  });
  return {
    name: 'records-query',
    routes: async (app) => {
      await app.register(recordsRoutes(service));
      await app.register(recordsTailRoutes(tail));
    },
    ready: async () => (await store()).ping(),
    stop: async () => tail.closeAll(),
  };
}
