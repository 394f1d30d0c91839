import type { Feature } from '../../libs/http/feature.ts';
import type { ServiceContext } from '../../libs/runtime/context.ts';
import { adminFeatures } from '../admin/admin.features.ts';
import { consoleFeature } from './console/console.feature.ts';
import { dashboardBackends } from './dashboards/dashboards.backends.ts';
import { dashboardsFeature } from './dashboards/dashboards.feature.ts';
import { federationFeature } from './prometheus-api/federation.feature.ts';
import { recordsFeature } from './records/records.feature.ts';
import { tracesFeature } from './traces/traces.feature.ts';

/** The query service: the features it contributes to a process. */
export async function queryFeatures(ctx: ServiceContext): Promise<Feature[]> {
  // The admin API (tokens, Pharos's own audit trail) is served wherever the query API is.
  return [
    ...(await adminFeatures(ctx)),
    dashboardsFeature(ctx, dashboardBackends(ctx)),
    recordsFeature(ctx),
    federationFeature(ctx),
    consoleFeature(ctx),
    tracesFeature(ctx),
  ];
}
