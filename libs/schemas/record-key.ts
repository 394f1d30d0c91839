/**
 * A record's identity is its cluster and its id together. Ids are deterministic per cluster (`<uid>:<count>`
 * for Events, `<auditID>:<stage>` for audit, a hash for log lines), and two clusters can hold the same uid or
 * auditID (a restored etcd backup, clusters created from one template, or a sender forging another cluster's
 * ids): keyed by id alone, one cluster's record would replace the other's. Everything that folds, dedupes or
 * looks records up keys by this; the public `id` field stays as it was.
 */
export interface Identified {
  cluster: string;
  id: string;
}

/**
 * One string for (cluster, id); cluster names are `[a-zA-Z0-9_.-]` (the intakes check), so NUL cannot make two pairs
 * meet.
 */
export function recordKey(doc: Identified): string {
  return `${doc.cluster}\u0000${doc.id}`;
}
