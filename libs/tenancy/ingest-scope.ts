import { isUnrestricted, type Scope } from '../auth/principal.ts';
import { ForbiddenError } from '../errors/errors.ts';

/** Cluster names as `collector.cluster` and `?cluster=` take them. */
export const CLUSTER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/**
 * Which cluster an intake's record belongs to, and whether the sender may write it. The cluster a record
 * names itself (OTLP `k8s.cluster.name`, a Loki `cluster` label, an ES document's `cluster`) comes first,
 * then `?cluster=`, then the token's only cluster when its scope lists exactly one, then
 * `collector.cluster`. Whatever the source, a cluster outside the token's scope refuses the whole request
 * (403): nothing is stored half, and a token can never write another cluster's records.
 */
export interface IngestClusters {
  /** The cluster for records that name none. */
  readonly fallback: string;
  /** The record's own cluster (or the fallback), checked against the scope; a reason when it is not a valid name. */
  resolve(own: string | undefined): { cluster: string } | { reason: string };
}

export function ingestClusters(
  scope: Scope,
  opts: { requested?: string | undefined; configured: string },
): IngestClusters {
  const only = !isUnrestricted(scope.clusters) && scope.clusters.length === 1 ? scope.clusters[0] : undefined;
  const fallback = opts.requested ?? only ?? opts.configured;
  const allowed = (cluster: string): boolean => isUnrestricted(scope.clusters) || scope.clusters.includes(cluster);
  if (!allowed(fallback)) throw outside(fallback, scope);
  return {
    fallback,
    resolve(own) {
      if (own === undefined || own === '') return { cluster: fallback };
      if (!CLUSTER_NAME.test(own))
        return { reason: `cluster "${own}" is not a valid cluster name (letters, digits, _ . -)` };
      if (!allowed(own)) throw outside(own, scope);
      return { cluster: own };
    },
  };
}

function outside(cluster: string, scope: Scope): ForbiddenError {
  return new ForbiddenError(
    `this token may not ingest for cluster "${cluster}" (its scope: ${scope.clusters.join(', ') || 'none'})`,
  );
}
