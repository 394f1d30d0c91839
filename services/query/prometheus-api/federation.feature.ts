import type { Feature } from '../../../libs/http/feature.ts';
import type { ServiceContext } from '../../../libs/runtime/context.ts';
import { federationConfigSchema } from '../../../libs/config/sections/federation.ts';
import { getFederation } from '../../../libs/runtime/federation.resource.ts';
import { metricsApiRoutes } from './metrics-api.routes.ts';
import { loadMetricTemplates } from './metric-templates.ts';
import { prometheusApiRoutes } from './prometheus-api.routes.ts';

/** Federated PromQL (issue 5): the Prometheus-compatible API and the KubeSphere-style metrics API. */
export function federationFeature(ctx: ServiceContext): Feature {
  const federation = () => getFederation(ctx);
  // Contexts built by hand (tests of other features) may lack the section: its defaults apply.
  const settings = federationConfigSchema.parse(ctx.config.federation ?? {});
  return {
    name: 'federation',
    routes: async (app) => {
      await app.register(prometheusApiRoutes({ federation }));
      await app.register(
        metricsApiRoutes({ federation, templates: loadMetricTemplates(settings.metricTemplatesFile) }),
      );
    },
  };
}
