import type { FastifyPluginAsync } from 'fastify';

/**
 * A feature is one capability (audit intake, logs query, federation, alerting …): an encapsulated Fastify
 * plugin for its routes plus optional background work. Services are lists of features, so the all-in-one
 * process and the split deployment assemble the same pieces.
 */
export interface Feature {
  name: string;
  routes?: FastifyPluginAsync;
  /** Starts background work (consumers, schedulers). Resolves once running. */
  start?(): Promise<void>;
  /** Drains in-flight work and releases resources; called in reverse start order. */
  stop?(): Promise<void>;
  /** Readiness: false while a dependency is down. */
  ready?(): Promise<boolean> | boolean;
}
