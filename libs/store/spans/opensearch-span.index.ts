import { dayOf, encodeCluster } from '../opensearch/index-names.ts';

/**
 * Span indices: `otel-v1-apm-span-<storage.indexPrefix>.<cluster>-YYYY.MM.DD` (UTC day of the span's
 * start). The `otel-v1-apm-span-` head is what OpenSearch Dashboards' trace analytics reads
 * (`otel-v1-apm-span-*`, Data Prepper's naming); the prefix after it keeps two Pharos installations (and
 * test runs) on one OpenSearch apart, and the `.` after the prefix (which a prefix cannot hold) keeps
 * `pharos` from matching `pharos-staging`'s indices (and their templates from overlapping). Daily indices
 * per cluster make retention an index delete, as for records.
 */
export const SPAN_INDEX_HEAD = 'otel-v1-apm-span';

export const spanPattern = (prefix: string): string => `${SPAN_INDEX_HEAD}-${prefix}.*`;
export const spanIndexName = (prefix: string, cluster: string, time: number): string =>
  `${SPAN_INDEX_HEAD}-${prefix}.${encodeCluster(cluster)}-${dayOf(time)}`;

/** The UTC start of the day an index holds, when it is a span index of this prefix (and cluster). */
export function spanIndexDay(index: string, prefix: string, cluster?: string): number | undefined {
  const m = /^(.*)-(\d{4})\.(\d{2})\.(\d{2})$/.exec(index);
  if (!m) return undefined;
  const head = m[1] as string;
  const ok =
    cluster === undefined
      ? head.startsWith(`${SPAN_INDEX_HEAD}-${prefix}.`)
      : head === `${SPAN_INDEX_HEAD}-${prefix}.${encodeCluster(cluster)}`;
  return ok ? Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4])) : undefined;
}

const keyword = { type: 'keyword' };
const attributes = { type: 'flat_object' };

/**
 * Data Prepper's otel-v1-apm-span mapping for the fields trace analytics reads (keywords, date_nanos
 * times, long duration, integer status code), attributes as flat_object (any key searchable, no mapping
 * growth), events and links kept in _source only. `dynamic: false`: unknown fields are not mapped.
 */
export function spanTemplate(prefix: string, shards: number, replicas: number): object {
  return {
    index_patterns: [spanPattern(prefix)],
    priority: 100,
    _meta: { managed_by: 'pharos', generated_from: 'libs/store/spans/opensearch-span.index.ts' },
    template: {
      settings: { number_of_shards: shards, number_of_replicas: replicas },
      mappings: {
        dynamic: false,
        properties: {
          id: keyword,
          cluster: keyword,
          namespace: keyword,
          time: { type: 'date', format: 'epoch_millis' },
          ingestedAt: { type: 'date', format: 'epoch_millis' },
          traceId: keyword,
          spanId: keyword,
          parentSpanId: keyword,
          traceState: keyword,
          name: keyword,
          kind: keyword,
          serviceName: keyword,
          traceGroup: keyword,
          startTime: { type: 'date_nanos' },
          endTime: { type: 'date_nanos' },
          durationInNanos: { type: 'long' },
          startTimeUnixNano: { type: 'keyword', index: false },
          endTimeUnixNano: { type: 'keyword', index: false },
          status: { properties: { code: { type: 'integer' }, message: keyword } },
          attributes,
          resource: { properties: { attributes } },
          instrumentationScope: { properties: { name: keyword, version: keyword } },
          events: { type: 'object', enabled: false },
          links: { type: 'object', enabled: false },
          droppedAttributesCount: { type: 'integer' },
        },
      },
    },
  };
}
