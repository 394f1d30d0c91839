import type { Feature } from '../libs/http/feature.ts';
import type { ServiceContext } from '../libs/runtime/context.ts';
import { alertingFeatures } from './alerting/alerting.features.ts';
import { collectorFeatures } from './collector/collector.features.ts';
import { indexerFeatures } from './indexer/indexer.features.ts';
import { queryFeatures } from './query/query.features.ts';

export type ServiceName = 'collector' | 'indexer' | 'query' | 'alerting';
export const SERVICE_NAMES: readonly ServiceName[] = ['collector', 'indexer', 'query', 'alerting'];

/** Services keyed by name; `all` runs every one in one process (the embedded default). */
export const SERVICES: Record<ServiceName, (ctx: ServiceContext) => Promise<Feature[]>> = {
  collector: collectorFeatures,
  indexer: indexerFeatures,
  query: queryFeatures,
  alerting: alertingFeatures,
};
