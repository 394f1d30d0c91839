import { z } from 'zod';

const names = z.array(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a Loki label name')).min(1);

/**
 * `collector.loki`: the Loki push intake. `labels` maps record fields to the stream labels that fill
 * them, first present winning; the defaults cover the names Alloy/Promtail's Kubernetes discovery,
 * Fluent Bit's loki output and Loki's OTLP ingestion write (docs/ingest.md). A field given replaces
 * its default list.
 */
export const lokiIntakeConfigSchema = z
  .object({
    /**
     * X-Scope-OrgID is Loki's tenant. Pharos's tenancy is the token's cluster/namespace scope, so by default
     * the header is ignored; true makes it the cluster of streams that carry no cluster label (still checked
     * against the token's scope).
     */
    tenantAsCluster: z.boolean().default(false),
    labels: z
      .object({
        cluster: names.default(['cluster', 'k8s_cluster_name', 'cluster_name']),
        namespace: names.default(['namespace', 'k8s_namespace_name', 'namespace_name']),
        pod: names.default(['pod', 'k8s_pod_name', 'pod_name']),
        container: names.default(['container', 'k8s_container_name', 'container_name']),
        node: names.default(['node', 'node_name', 'k8s_node_name', 'host']),
        stream: names.default(['stream', 'log_iostream']),
        severity: names.default(['level', 'detected_level', 'severity', 'severity_text']),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

/** `collector.elasticsearch`: the Elasticsearch bulk intake. */
export const elasticsearchIntakeConfigSchema = z
  .object({
    /**
     * The version `GET /elasticsearch/` reports. Clients pick their wire format from it (Vector's
     * api_version auto; 8.x means no `_type`); Beats refuse a server older than themselves unless
     * allow_older_versions is set.
     */
    version: z
      .string()
      .regex(/^\d+\.\d+\.\d+$/, 'major.minor.patch')
      .default('8.19.0'),
  })
  .strict()
  .prefault({});
