import { FIXTURE_END, FIXTURE_START } from '../../test/fixtures/prometheus/generate.ts';

/** Twelve queries of the kind dashboards send (the built-ins and the kubernetes mixins), over ~300 steps. */
export const SMALL_QUERIES = [
  'sum by (cluster, namespace) (rate(container_cpu_usage_seconds_total[5m]))',
  'sum by (namespace) (rate(container_cpu_usage_seconds_total[5m]))',
  'histogram_quantile(0.9, sum by (le) (rate(demo_api_request_duration_seconds_bucket[5m])))',
  'count(count by (namespace) (kube_pod_info))',
  'topk(5, container_memory_working_set_bytes)',
  'avg by (mode) (rate(node_cpu_seconds_total[5m]))',
  'sum(container_memory_working_set_bytes) / sum(node_memory_MemTotal_bytes)',
  'rate(demo_cpu_usage_seconds_total[5m])',
  '1 - sum by (cluster) (node_memory_MemAvailable_bytes) / sum by (cluster) (node_memory_MemTotal_bytes)',
  'sum by (cluster) (kube_deployment_status_replicas_available)',
  'sum by (namespace) (increase(kube_pod_container_status_restarts_total[1h]))',
  'count by (cluster) (up == 1)',
];
export const SMALL_WINDOW = { start: FIXTURE_START + 1800, end: FIXTURE_END - 60, step: 30 };
