import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseBulk, type BulkAction } from '../../../libs/elasticsearch/bulk-request.ts';
import { elasticsearchPlugin } from '../../../libs/http/protocols/es-http.ts';
import { PharosError } from '../../../libs/errors/errors.ts';
import { decodeContentEncoding, mediaType } from '../../../libs/http/content-encoding.ts';
import { normalizeEsBulk, type ItemOutcome } from '../../../libs/normalize/es-bulk.normalize.ts';
import type { Rejection } from '../../../libs/normalize/normalize.types.ts';
import { esProbeRoutes } from './es-probes.routes.ts';
import type { IntakeService } from './intake.service.ts';
import { intakeQuerystring } from './otlp-logs.routes.ts';

export interface EsBulkRoutesOptions {
  intake: IntakeService;
  maxBodyBytes: number;
  /** `collector.elasticsearch.version`: the version `GET /elasticsearch/` reports. */
  version: string;
}

/** Media types Elasticsearch takes for `_bulk` (the official clients send the vnd.elasticsearch ones). */
const BULK_TYPES = new Set([
  'application/x-ndjson',
  'application/json',
  'application/vnd.elasticsearch+x-ndjson',
  'application/vnd.elasticsearch+json',
]);
const querystring = intakeQuerystring.extend({
  // Accepted for compatibility, without effect: records are searchable once indexed, and answers are whole.
  refresh: z.string().optional(),
  pipeline: z.string().optional(),
  filter_path: z.string().optional(),
  timeout: z.string().optional(),
  require_alias: z.string().optional(),
  require_data_stream: z.string().optional(),
  routing: z.string().optional(),
  wait_for_active_shards: z.string().optional(),
});

/**
 * Elasticsearch `_bulk` under `/elasticsearch` (Fluent Bit's es output, Vector's elasticsearch sink, Filebeat,
 * Logstash, the official clients): the ES answer with per-item status, so a client retries only the failed
 * items; the whole request fails (400) only when an action line cannot be read, as in Elasticsearch.
 */
export function esBulkRoutes(opts: EsBulkRoutesOptions): FastifyPluginAsync {
  return async (fastify) => {
    elasticsearchPlugin(fastify);
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const config = { access: { role: 'ingest' as const } };
    const schema = {
      tags: ['ingest'],
      querystring,
      summary:
        'Elasticsearch bulk API: index and create actions become log records (NDJSON, gzip or not); see docs/ingest.md',
    };
    const handler = async (
      req: FastifyRequest<{ Querystring: z.infer<typeof querystring>; Params: { index?: string } }>,
    ) => {
      const clusters = opts.intake.clusters(req.principal.scope, req.query.cluster);
      if (!BULK_TYPES.has(mediaType(req.headers['content-type']))) {
        throw new PharosError(
          'PHAROS_ERR_UNSUPPORTED_MEDIA_TYPE',
          `Content-Type header [${req.headers['content-type'] ?? ''}] is not supported for _bulk: send application/x-ndjson`,
        );
      }
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const body = await decodeContentEncoding(raw, req.headers['content-encoding'], opts.maxBodyBytes);
      const started = Date.now();
      const actions = parseBulk(body.toString('utf8'));
      const outcomes = normalizeEsBulk(actions, {
        clusterOf: clusters.resolve,
        defaultIndex: req.params.index,
        ingestedAt: started,
      });
      const rejected: Rejection[] = [];
      outcomes.forEach((o, index) => o.ok || rejected.push({ index, reason: o.reason }));
      const logs = outcomes.flatMap((o) => (o.ok ? [o.doc] : []));
      await opts.intake.publish(
        'elasticsearch',
        { result: { logs, events: [], rejected }, cluster: clusters.fallback },
        req.clientSignal,
      );
      return bulkAnswer({ actions, outcomes, took: Date.now() - started, defaultIndex: req.params.index });
    };
    for (const url of ['/elasticsearch/_bulk', '/elasticsearch/:index/_bulk']) {
      app.post(url, { config, schema }, handler);
      app.put(url, { config, schema }, handler);
    }
    await app.register(esProbeRoutes({ version: opts.version }));
  };
}

/** The bulk answer (docs-bulk.html, "Response body"): one item per action, in order, keyed by its action. */
function bulkAnswer(a: {
  actions: readonly BulkAction[];
  outcomes: readonly ItemOutcome[];
  took: number;
  defaultIndex: string | undefined;
}) {
  const { actions, outcomes, took } = a;
  const items = outcomes.map((o, i) => {
    const action = actions[i]!;
    const _index = action.index ?? a.defaultIndex ?? null;
    if (!o.ok)
      return {
        [action.op]: { _index, _id: action.id ?? null, status: o.status, error: { type: o.type, reason: o.reason } },
      };
    return {
      [action.op]: {
        _index,
        _id: action.id ?? o.doc.id,
        _version: 1,
        result: 'created',
        status: 201,
        _shards: { total: 1, successful: 1, failed: 0 },
        _seq_no: 0,
        _primary_term: 1,
      },
    };
  });
  return { took, errors: outcomes.some((o) => !o.ok), items };
}
