import { decodeTracesRequest } from '../../../libs/otlp/otlp-traces.decode.ts';
import type { SpanDoc } from '../../../libs/schemas/span-doc.ts';
import { normalizeSpans } from '../../../libs/traces/spans.normalize.ts';

/** One span for a test of span rules: service `service` in `cluster`, started `at` (epoch ms). */
export interface SpanSpec {
  cluster: string;
  namespace?: string;
  service: string;
  name?: string;
  /** OTLP SpanKind (2 server, 3 client …); server by default. */
  kind?: number;
  at: number;
  ms?: number;
  error?: boolean;
  attributes?: Record<string, string>;
}

let seq = 0;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** An OTLP/JSON ExportTraceServiceRequest as an SDK's exporter sends it, one resource per span. */
export function otlpTracesJson(specs: readonly SpanSpec[]): string {
  const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
  const resourceSpans = specs.map((s) => {
    const id = ++seq;
    return {
      resource: {
        attributes: [
          attr('service.name', s.service),
          attr('k8s.cluster.name', s.cluster),
          ...(s.namespace ? [attr('k8s.namespace.name', s.namespace)] : []),
        ],
      },
      scopeSpans: [
        {
          scope: { name: 'pharos-test', version: '1' },
          spans: [
            {
              traceId: hex(id, 32),
              spanId: hex(id, 16),
              name: s.name ?? 'GET /',
              kind: s.kind ?? 2,
              startTimeUnixNano: `${s.at}000000`,
              endTimeUnixNano: `${s.at + (s.ms ?? 10)}000000`,
              attributes: Object.entries(s.attributes ?? {}).map(([k, v]) => attr(k, v)),
              status: { code: s.error ? 2 : 0 },
            },
          ],
        },
      ],
    };
  });
  return JSON.stringify({ resourceSpans });
}

/** The span docs the traces intake makes of those spans (its decoder and normalizer). */
export function spanDocs(specs: readonly SpanSpec[]): SpanDoc[] {
  const batch = decodeTracesRequest(Buffer.from(otlpTracesJson(specs)), 'json');
  const { spans, rejected } = normalizeSpans(batch, (own) => ({ cluster: own ?? 'unknown' }), Date.now());
  if (rejected.length) throw new Error(`test spans rejected: ${JSON.stringify(rejected)}`);
  return spans;
}

/** `n` copies of a span, each a millisecond earlier than the one before. */
export const times = (n: number, spec: SpanSpec): SpanSpec[] =>
  Array.from({ length: n }, (_, i) => ({ ...spec, at: spec.at - i }));

/**
 * The spans the tests of span rules count, minutes before `now`: checkout in east 21 spans in the last 5m, 4 of
 * them errors, one a slow client span; checkout in west 10 with an `http.route` tag and no errors; cart in east
 * 2 spans without a namespace, one an error; ledger in west only 7 minutes ago.
 */
export function ruleTestSpans(now: number): SpanSpec[] {
  const min = 60_000;
  const shop = { namespace: 'shop', service: 'checkout' };
  return [
    ...times(16, { cluster: 'east', ...shop, at: now - min }),
    ...times(4, { cluster: 'east', ...shop, at: now - 2 * min, error: true }),
    { cluster: 'east', ...shop, at: now - 3 * min, ms: 900, kind: 3, name: 'POST /pay' },
    ...times(10, { cluster: 'west', ...shop, at: now - min, attributes: { 'http.route': '/c' } }),
    { cluster: 'east', service: 'cart', at: now - min },
    { cluster: 'east', service: 'cart', at: now - min, error: true },
    { cluster: 'west', namespace: 'ledger', service: 'ledger', at: now - 7 * min },
  ];
}
