import type { Feature } from '../libs/http/feature.ts';
import type { ServiceContext } from '../libs/runtime/context.ts';

export type ServiceName = 'collector' | 'indexer' | 'query' | 'alerting';
export const SERVICE_NAMES: readonly ServiceName[] = ['collector', 'indexer', 'query', 'alerting'];

/**
 * Services keyed by name; `all` runs every one in one process (the embedded default). Each service's modules
 * are loaded only when it runs: a query process never loads the collector's Kubernetes client (some 40 MB of
 * module text and code) nor the indexer's, and starts with that much less memory.
 */
export const SERVICES: Record<ServiceName, (ctx: ServiceContext) => Promise<Feature[]>> = {
  collector: async (ctx) => (await import('./collector/collector.features.ts')).collectorFeatures(ctx),
  indexer: async (ctx) => (await import('./indexer/indexer.features.ts')).indexerFeatures(ctx),
  query: async (ctx) => (await import('./query/query.features.ts')).queryFeatures(ctx),
  alerting: async (ctx) => (await import('./alerting/alerting.features.ts')).alertingFeatures(ctx),
};
