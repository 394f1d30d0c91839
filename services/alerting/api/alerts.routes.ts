import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AlertingServices } from '../service/alerting-services.ts';
import { filterMatchers, filterParam, pageParams } from './api-schemas.ts';
import { callerScope } from './request-scope.ts';

type Services = () => Promise<AlertingServices>;

const activeQuery = z.object({
  state: z.enum(['pending', 'firing']).optional(),
  filter: filterParam,
  alertname: z.string().optional(),
});

const historyQuery = z.object({
  alertname: z.string().optional(),
  state: z.enum(['pending', 'firing', 'inactive']).optional(),
  filter: filterParam,
  ...pageParams,
});

/** /v1/alerts and /v1/alerts/history, over AlertsService. */
export function alertsRoutes(getServices: Services): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/v1/alerts',
      { schema: { tags: ['alerting'], summary: 'Active alerts (pending and firing)', querystring: activeQuery } },
      async (req) => {
        const { state, alertname, filter } = req.query;
        const matchers = filterMatchers(filter);
        return (await getServices()).alerts.active(callerScope(req), { state, alertname, matchers });
      },
    );
    app.get(
      '/v1/alerts/history',
      {
        schema: {
          tags: ['alerting'],
          summary: 'Every alert state transition, newest first',
          querystring: historyQuery,
        },
      },
      async (req) => {
        const { filter, ...rest } = req.query;
        const matchers = filterMatchers(filter);
        return (await getServices()).alerts.history(callerScope(req), { ...rest, matchers });
      },
    );
  };
}
