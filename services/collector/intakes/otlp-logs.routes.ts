import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { otlpBody, otlpPlugin } from '../../../libs/http/protocols/otlp-http.ts';
import { decodeLogsRequest } from '../../../libs/otlp/otlp-logs.decode.ts';
import { CONTENT_TYPE, exportLogsResponse } from '../../../libs/http/protocols/otlp-status.ts';
import { normalizeOtlpLogs } from '../../../libs/normalize/otlp-logs.normalize.ts';
import { CLUSTER_NAME } from '../../../libs/tenancy/ingest-scope.ts';
import { rejectionSummary, type IntakeService } from './intake.service.ts';

export interface OtlpLogsRoutesOptions {
  intake: IntakeService;
  /** Largest body after decompression (server.bodyLimitBytes). */
  maxBodyBytes: number;
}

export const intakeQuerystring = z.object({
  cluster: z
    .string()
    .regex(CLUSTER_NAME, 'letters, digits, _ . -')
    .optional()
    .describe("Cluster of records that name none (else the token's only cluster, else collector.cluster)."),
});

/**
 * OTLP/HTTP logs (`OTEL_EXPORTER_OTLP_ENDPOINT=http://pharos:8080/otlp`): an ExportLogsServiceRequest in
 * protobuf or JSON, gzip or not. 200 with partial_success naming refused records; 400 for a body that
 * cannot be decoded (nothing stored); 503 with Retry-After when the bus cannot take the records.
 */
export function otlpLogsRoutes(opts: OtlpLogsRoutesOptions): FastifyPluginAsync {
  return async (fastify) => {
    otlpPlugin(fastify);
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    app.post(
      '/otlp/v1/logs',
      {
        config: { access: { role: 'ingest' } },
        schema: {
          summary:
            'OTLP/HTTP logs: ExportLogsServiceRequest as application/x-protobuf or application/json, optionally gzip',
          description:
            "Answers ExportLogsServiceResponse in the request's encoding; failures are google.rpc.Status with an ErrorInfo whose reason is the PHAROS_ERR code. See docs/ingest.md.",
          tags: ['ingest'],
          querystring: intakeQuerystring,
        },
      },
      async (req, reply) => {
        const clusters = opts.intake.clusters(req.principal.scope, req.query.cluster);
        const { encoding, body } = await otlpBody(req, opts.maxBodyBytes);
        const result = normalizeOtlpLogs(decodeLogsRequest(body, encoding), clusters.resolve, Date.now());
        await opts.intake.publish('otlp', { result, cluster: clusters.fallback }, req.clientSignal);
        const partial =
          result.rejected.length > 0
            ? { rejected: result.rejected.length, message: rejectionSummary(result) }
            : undefined;
        return reply.header('content-type', CONTENT_TYPE[encoding]).send(exportLogsResponse(encoding, partial));
      },
    );
  };
}
