import type { Scope } from '../../../libs/auth/principal.ts';
import type { IntakeResult } from '../../../libs/normalize/otlp-logs.normalize.ts';
import { ingestClusters, type IngestClusters } from '../../../libs/tenancy/ingest-scope.ts';
import type { IngestMetrics, IngestProtocol } from '../ingest.metrics.ts';
import type { IngestService } from '../ingest.service.ts';

export interface IntakeServiceOptions {
  ingest: IngestService;
  metrics: IngestMetrics;
  /** `collector.cluster`. */
  cluster: string;
}

/**
 * The one path of the agent protocols' intakes (OTLP, Loki push, ES bulk) after decoding: cluster and
 * scope rules, then the collector's own publish (same bus, packing, size limits, trimming and in-flight
 * bound as the Pharos intakes), counted per protocol.
 */
export interface IntakeService {
  /** Cluster rules for one request: `requested` is `?cluster=`. Throws ForbiddenError outside the scope. */
  clusters(scope: Scope, requested: string | undefined): IngestClusters;
  /** Publishes the logs and events of one request; resolves once the bus has all of them. */
  publish(
    protocol: IngestProtocol,
    request: { result: IntakeResult; cluster: string },
    signal?: AbortSignal,
  ): Promise<void>;
}

export function createIntakeService(opts: IntakeServiceOptions): IntakeService {
  return {
    clusters: (scope, requested) => ingestClusters(scope, { requested, configured: opts.cluster }),
    async publish(protocol, { result, cluster }, signal) {
      opts.metrics.forProtocol(protocol).count({ kind: 'logs', cluster, result: 'rejected' }, result.rejected.length);
      const ingest = opts.ingest.forProtocol(protocol);
      // Both or the sender retries: ids are idempotent, so the half that made it is not stored twice.
      await Promise.all([ingest.publish('logs', result.logs, signal), ingest.publish('events', result.events, signal)]);
    },
  };
}

/** A partial-success summary for the sender: how many records were refused and the first reasons. */
export function rejectionSummary(result: IntakeResult): string {
  const first = result.rejected.slice(0, 3).map((r) => `record ${r.index}: ${r.reason}`);
  const more = result.rejected.length > 3 ? `; and ${result.rejected.length - 3} more` : '';
  return `${result.rejected.length} record(s) refused: ${first.join('; ')}${more}`;
}
