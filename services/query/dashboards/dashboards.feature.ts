import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Feature } from '../../../libs/http/feature.ts';
import type { ServiceContext } from '../../../libs/runtime/context.ts';
import type { StateStore } from '../../../libs/store/state-store.ts';
import { loadBuiltinDashboards } from './builtin-dashboards.ts';
import { DashboardRepository } from './dashboard.repository.ts';
import type { MetricsPort, RecordsPort, TopologyPort } from './dashboards.ports.ts';
import { dashboardsRoutes } from './dashboards.routes.ts';
import { DashboardsService } from './dashboards.service.ts';
import { DashboardRenderer } from './render.service.ts';

export interface DashboardsDeps {
  stateStore: () => Promise<StateStore>;
  metrics: () => Promise<MetricsPort>;
  records: () => Promise<RecordsPort>;
  /** The traces service for topology panels (absent: they answer PHAROS_ERR_UNAVAILABLE). */
  topology?: () => Promise<TopologyPort>;
}

/**
 * The dashboards feature of the query service: /v1/dashboards (the console at /ui shows them). Backends are asked for
 * lazily, so the API answers (with per-panel errors) even while one of them is still starting.
 */
export function dashboardsFeature(ctx: ServiceContext, deps: DashboardsDeps): Feature {
  const cfg = ctx.config.dashboards;
  const logger = ctx.logger.child({ component: 'dashboards' });
  const builtins = loadBuiltinDashboards(resolve(cfg.dir));
  logger.info({ dir: cfg.dir, count: builtins.length }, 'built-in dashboards loaded');
  const renderer = new DashboardRenderer({
    metrics: deps.metrics,
    records: deps.records,
    topology: deps.topology,
    logger,
    timeoutMs: cfg.renderTimeoutMs,
    concurrency: cfg.renderConcurrency,
    maxRecordRangeDays: ctx.config.query.maxRangeDays,
  });
  const service = new DashboardsService({
    builtins,
    repository: new DashboardRepository(deps.stateStore),
    renderer,
    maxDataPoints: cfg.maxDataPoints,
  });
  const api = dashboardsRoutes(service);
  return {
    name: 'dashboards',
    routes: async (app: FastifyInstance) => {
      await app.register(api);
    },
  };
}
