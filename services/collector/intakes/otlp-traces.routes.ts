import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { otlpBody, otlpPlugin } from '../../../libs/http/protocols/otlp-http.ts';
import { CONTENT_TYPE, exportTracesResponse } from '../../../libs/http/protocols/otlp-status.ts';
import { decodeTracesRequest } from '../../../libs/otlp/otlp-traces.decode.ts';
import { normalizeSpans } from '../../../libs/traces/spans.normalize.ts';
import type { IngestMetrics } from '../ingest.metrics.ts';
import type { IntakeService } from './intake.service.ts';
import { intakeQuerystring } from './otlp-logs.routes.ts';
import { tooManySpans, type SpanPublisher } from './span-publisher.ts';

export interface OtlpTracesRoutesOptions {
  /** Cluster and scope rules (the same as the logs intake's). */
  intake: IntakeService;
  spans: SpanPublisher;
  metrics: IngestMetrics;
  /** Largest body after decompression (server.bodyLimitBytes). */
  maxBodyBytes: number;
}

/**
 * OTLP/HTTP traces (`OTEL_EXPORTER_OTLP_ENDPOINT=http://pharos:8080/otlp`): an ExportTraceServiceRequest in
 * protobuf or JSON, gzip or not, with the logs intake's conventions (libs/http/protocols/otlp-http.ts): 200 with
 * partial_success.rejected_spans naming refused spans; 400 for a body that cannot be decoded (nothing
 * stored); 503 with Retry-After when the bus cannot take the spans.
 */
export function otlpTracesRoutes(opts: OtlpTracesRoutesOptions): FastifyPluginAsync {
  return async (fastify) => {
    otlpPlugin(fastify);
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    app.post(
      '/otlp/v1/traces',
      {
        config: { access: { role: 'ingest' } },
        schema: {
          summary:
            'OTLP/HTTP traces: ExportTraceServiceRequest as application/x-protobuf or application/json, optionally gzip',
          description:
            "Answers ExportTraceServiceResponse in the request's encoding; failures are google.rpc.Status with an ErrorInfo whose reason is the PHAROS_ERR code. See docs/traces.md.",
          tags: ['ingest'],
          querystring: intakeQuerystring,
        },
      },
      async (req, reply) => {
        const clusters = opts.intake.clusters(req.principal.scope, req.query.cluster);
        const { encoding, body } = await otlpBody(req, opts.maxBodyBytes);
        const batch = decodeTracesRequest(body, encoding);
        const n = batch.reduce((sum, rs) => sum + rs.scopeSpans.reduce((m, ss) => m + ss.spans.length, 0), 0);
        if (n > opts.spans.maxSpans) throw tooManySpans(n, opts.spans.maxSpans);
        const result = normalizeSpans(batch, clusters.resolve, Date.now());
        opts.metrics
          .forProtocol('otlp')
          .count({ kind: 'spans', cluster: clusters.fallback, result: 'rejected' }, result.rejected.length);
        await opts.spans.publish(result.spans, req.clientSignal);
        const partial =
          result.rejected.length > 0
            ? { rejected: result.rejected.length, message: summary(result.rejected) }
            : undefined;
        return reply.header('content-type', CONTENT_TYPE[encoding]).send(exportTracesResponse(encoding, partial));
      },
    );
  };
}

function summary(rejected: readonly { index: number; reason: string }[]): string {
  const first = rejected.slice(0, 3).map((r) => `span ${r.index}: ${r.reason}`);
  const more = rejected.length > 3 ? `; and ${rejected.length - 3} more` : '';
  return `${rejected.length} span(s) refused: ${first.join('; ')}${more}`;
}
