import { randomBytes } from 'node:crypto';

/**
 * OTLP/HTTP (JSON) trace requests of a small shop, shared by the console's Traces and dashboard-topology suites: a
 * frontend in cluster west (namespace shop) calling a checkout in cluster east (namespace pay), which may call a
 * payments service beside it.
 */
export const hex = (bytes: number) => randomBytes(bytes).toString('hex');
export const kv = (key: string, value: string) => ({ key, value: { stringValue: value } });
export const resource = (service: string, cluster: string, namespace: string) => ({
  attributes: [kv('service.name', service), kv('k8s.cluster.name', cluster), kv('k8s.namespace.name', namespace)],
});
export const ns = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

export interface Call {
  traceId: string;
  at: number;
  serverMs: number;
  failed: boolean;
  /** The checkout calls the payments service (same cluster) during this call. */
  pays: boolean;
}

/**
 * One trace: frontend SERVER → frontend CLIENT → checkout SERVER (kinds 2, 3, 2 as OTLP numbers them), and when
 * `pays`, checkout CLIENT → payments SERVER.
 */
export function traceRequest(call: Call) {
  const [root, client, server, charge, payments] = [hex(8), hex(8), hex(8), hex(8), hex(8)];
  const span = (o: {
    id: string;
    parent?: string;
    name: string;
    kind: number;
    start: number;
    ms: number;
    error?: boolean;
  }) => ({
    traceId: call.traceId,
    spanId: o.id,
    ...(o.parent ? { parentSpanId: o.parent } : {}),
    name: o.name,
    kind: o.kind,
    startTimeUnixNano: ns(o.start),
    endTimeUnixNano: ns(o.start + o.ms),
    attributes: [kv('http.method', 'GET')],
    status: o.error ? { code: 2, message: 'payment refused' } : { code: 0 },
  });
  const scope = { name: '@opentelemetry/instrumentation-http', version: '0.52.0' };
  const batch = (where: [service: string, cluster: string, namespace: string], spans: object[]) => ({
    resource: resource(...where),
    scopeSpans: [{ scope, spans }],
  });
  const { at, serverMs } = call;
  const batches = [
    batch(
      ['frontend', 'west', 'shop'],
      [
        span({ id: root, name: 'GET /', kind: 2, start: at, ms: serverMs + 4 }),
        span({ id: client, parent: root, name: 'GET /checkout', kind: 3, start: at + 1, ms: serverMs + 2 }),
      ],
    ),
    batch(
      ['checkout', 'east', 'pay'],
      [
        span({
          id: server,
          parent: client,
          name: 'GET /checkout',
          kind: 2,
          start: at + 2,
          ms: serverMs,
          error: call.failed,
        }),
        ...(call.pays
          ? [span({ id: charge, parent: server, name: 'POST /charge', kind: 3, start: at + 5, ms: serverMs - 20 })]
          : []),
      ],
    ),
  ];
  if (call.pays)
    batches.push(
      batch(
        ['payments', 'east', 'pay'],
        [span({ id: payments, parent: charge, name: 'POST /charge', kind: 2, start: at + 6, ms: serverMs - 30 })],
      ),
    );
  return { resourceSpans: batches };
}
