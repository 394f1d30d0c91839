/**
 * One call of the service graph, made once at ingest (libs/traces/span-pairing.ts): a server (consumer) span
 * paired with its client (producer) parent span of the same trace. The topology aggregates these instead of
 * pairing spans at query time. Stored beside the spans: OpenSearch `<prefix>-span-edges-<cluster>-YYYY.MM.DD`,
 * SQLite table `trace_span_edges`.
 */
export interface SpanEdgeDoc {
  /** `<traceId>-<client spanId>-<server spanId>`: with `cluster`, the identity of a call (a resend overwrites it). */
  id: string;
  /** The server (callee) span's cluster: the edge's index, and its retention, are the callee's. */
  cluster: string;
  /** The server span's start, epoch ms: the topology's window and the index day. */
  time: number;
  traceId: string;
  clientSpanId: string;
  serverSpanId: string;
  sourceCluster: string;
  sourceNamespace?: string;
  sourceService: string;
  targetCluster: string;
  targetNamespace?: string;
  targetService: string;
  /** `messaging` for producer→consumer pairs, else `request`. */
  type: 'request' | 'messaging';
  /** Either span has status ERROR. */
  failed: boolean;
  /** The server (consumer) span's duration. */
  durationInNanos: number;
}

export const spanEdgeId = (traceId: string, clientSpanId: string, serverSpanId: string): string =>
  `${traceId}-${clientSpanId}-${serverSpanId}`;
