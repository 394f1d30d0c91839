import type { FastifyPluginAsync } from 'fastify';
import type { Feature } from '../../libs/http/feature.ts';
import { getRecordStore, getSpanStore, getStateStore } from '../../libs/runtime/backends.ts';
import type { ServiceContext } from '../../libs/runtime/context.ts';
import { getFederation } from '../../libs/runtime/federation.resource.ts';
import { AlertingModule } from './alerting.module.ts';
import { alertmanagerRoutes } from './api/alertmanager.routes.ts';
import { alertsRoutes } from './api/alerts.routes.ts';
import { prometheusRulesRoutes } from './api/prometheus-rules.routes.ts';
import { receiversRoutes } from './api/receivers.routes.ts';
import { rulesRoutes } from './api/rules.routes.ts';
import { silencesRoutes } from './api/silences.routes.ts';
import type { RuleSources } from './engine/rule-query.ts';

/** The alert engine's data sources in a running process: the federation layer, the record and span stores. */
export function processSources(ctx: ServiceContext): RuleSources {
  return {
    federation: () => getFederation(ctx),
    records: () => getRecordStore(ctx),
    clusters: () => ctx.config.clusters.map((c) => c.name),
    spans: () => getSpanStore(ctx),
  };
}

/** The routes of every alerting API, around one lazily built module. */
export function alertingPlugin(getModule: () => Promise<AlertingModule>): FastifyPluginAsync {
  const getServices = async () => (await getModule()).services;
  return async (app) => {
    await app.register(rulesRoutes(getServices));
    await app.register(alertsRoutes(getServices));
    await app.register(receiversRoutes(getServices));
    await app.register(silencesRoutes(getServices));
    await app.register(alertmanagerRoutes(getServices));
    await app.register(prometheusRulesRoutes(getServices));
  };
}

/** The alerting service: rule evaluation, notification, silences and the Alertmanager-compatible API. */
export async function alertingFeatures(ctx: ServiceContext): Promise<Feature[]> {
  const config = ctx.config.alerting;
  if (!config.enabled) return [];
  let module: Promise<AlertingModule> | undefined;
  const getModule = () =>
    (module ??= getStateStore(ctx).then(
      (store) =>
        new AlertingModule({
          config,
          store,
          sources: processSources(ctx),
          logger: ctx.logger,
          metrics: ctx.metrics,
          queryLimits: ctx.config.federation,
          externalUrl: (
            config.externalUrl ??
            ctx.config.server.publicUrl ??
            `http://${ctx.config.server.host}:${ctx.config.server.port}`
          ).replace(/\/$/, ''),
        }),
    ));
  return [
    {
      name: 'alerting',
      routes: alertingPlugin(getModule),
      start: async () => (await getModule()).start(),
      stop: async () => {
        if (module) await (await module).stop();
      },
    },
  ];
}
