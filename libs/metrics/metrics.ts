import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One metrics registry per process (not prom-client's global one), so tests can build many apps side by
 * side. Components register their own counters on it.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app: 'pharos' });
  collectDefaultMetrics({ register: registry, prefix: 'pharos_' });
  return registry;
}
