import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { PharosError } from '../../../libs/errors/errors.ts';
import { decodeContentEncoding, mediaType } from '../../../libs/http/content-encoding.ts';
import { setProtocolErrorHandler } from '../../../libs/http/protocol-error-handler.ts';
import { decodeLokiJson, decodeLokiProtobuf } from '../../../libs/loki/loki-push.decode.ts';
import { normalizeLoki, type LokiLabelMap } from '../../../libs/normalize/loki.normalize.ts';
import { InputError } from '../../../libs/errors/errors.ts';
import { rejectionSummary, type IntakeService } from './intake.service.ts';
import { intakeQuerystring } from './otlp-logs.routes.ts';

export interface LokiPushRoutesOptions {
  intake: IntakeService;
  maxBodyBytes: number;
  /** `collector.loki.labels`. */
  labels: LokiLabelMap;
  /** `collector.loki.tenantAsCluster`: X-Scope-OrgID names the cluster of streams without a cluster label. */
  tenantAsCluster: boolean;
}

/**
 * Loki push (`POST /loki/api/v1/push`, https://grafana.com/docs/loki/latest/reference/loki-http-api/#ingest-logs):
 * JSON (gzip or not) or snappy-compressed protobuf, as Promtail, Alloy's loki.write, Fluent Bit's loki output,
 * Vector's loki sink and kubernetes-event-exporter send it. 204 when every entry was stored. As Loki does,
 * entries that cannot be stored fail the request with 400 naming them while the others are stored (the
 * sender does not retry a 4xx; a resend would not duplicate them). Errors are Pharos's JSON error body:
 * Loki answers text, and its clients log the body as text either way.
 */
export function lokiPushRoutes(opts: LokiPushRoutesOptions): FastifyPluginAsync {
  return async (fastify) => {
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    setProtocolErrorHandler(fastify, (_status, body) => ({
      contentType: 'application/json; charset=utf-8',
      payload: JSON.stringify(body),
    }));
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    app.post(
      '/loki/api/v1/push',
      {
        config: { access: { role: 'ingest' } },
        schema: {
          tags: ['ingest'],
          querystring: intakeQuerystring,
          summary: 'Loki push API: JSON or snappy protobuf PushRequest; see docs/ingest.md',
        },
      },
      async (req, reply) => {
        const clusters = opts.intake.clusters(req.principal.scope, req.query.cluster);
        const type = mediaType(req.headers['content-type']);
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const body = await decodeContentEncoding(raw, req.headers['content-encoding'], opts.maxBodyBytes);
        let streams;
        if (type === 'application/x-protobuf') streams = decodeLokiProtobuf(body, opts.maxBodyBytes);
        else if (type === 'application/json' || type === '') streams = decodeLokiJson(body);
        else
          throw new PharosError(
            'PHAROS_ERR_UNSUPPORTED_MEDIA_TYPE',
            `Content-Type "${type}" is not a Loki push: send application/json or application/x-protobuf (snappy)`,
          );
        const tenant = opts.tenantAsCluster ? headerText(req.headers['x-scope-orgid']) : undefined;
        const result = normalizeLoki(streams, {
          clusterOf: clusters.resolve,
          labels: opts.labels,
          tenantCluster: tenant,
          ingestedAt: Date.now(),
        });
        await opts.intake.publish('loki', { result, cluster: clusters.fallback }, req.clientSignal);
        if (result.rejected.length > 0)
          throw new InputError(
            `${rejectionSummary(result)}; the other ${result.logs.length} entries are stored`,
            result.rejected.slice(0, 100).map((r) => ({ path: `entries.${r.index}`, message: r.reason })),
          );
        return reply.code(204).send();
      },
    );
  };
}

const headerText = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v) || undefined;
