import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isUnrestricted } from '../../libs/auth/principal.ts';
import { ForbiddenError, InputError } from '../../libs/errors/errors.ts';
import { TEXT_BODY_TYPES } from '../../libs/http/body-types.ts';
import { normalizeAudit } from '../../libs/normalize/audit.normalize.ts';
import { normalizeEvents } from '../../libs/normalize/events.normalize.ts';
import { normalizeLogs, parseNdjson } from '../../libs/normalize/logs.normalize.ts';
import type { NormalizeResult, Rejection } from '../../libs/normalize/normalize.types.ts';
import type { RecordKind } from '../../libs/schemas/records.ts';
import type { AnyDoc } from '../../libs/store/record-store.ts';
import type { IngestMetrics } from './ingest.metrics.ts';
import type { IngestService } from './ingest.service.ts';

export interface IngestRoutesOptions {
  ingest: IngestService;
  metrics: IngestMetrics;
  /** `collector.cluster`: stamped on every record unless `?cluster=` overrides it. */
  cluster: string;
}

const querystring = z.object({
  cluster: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'letters, digits, _ . -')
    .optional()
    .describe('Overrides collector.cluster for this batch.'),
});
const listBody = z.union([
  z.array(z.unknown()),
  z.looseObject({
    kind: z.string().optional(),
    apiVersion: z.string().optional(),
    items: z.array(z.unknown()).optional(),
  }),
]);
const ingestReply = z.object({
  accepted: z.number().int().describe('Records now on the bus; each is stored once, however often it is resent.'),
  rejected: z
    .array(z.object({ index: z.number().int(), reason: z.string() }))
    .describe('Invalid items, by position in the batch (NDJSON: line, blank lines skipped).'),
});
const access = { access: { role: 'ingest' as const } };

/** The three HTTP intakes. Thin: parse, normalize, hand to the ingest service, report. */
export function ingestRoutes(opts: IngestRoutesOptions): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    /** Publishes the valid records of `result`, normalized for `cluster`; the invalid ones are reported. */
    const accept = async (
      req: FastifyRequest,
      kind: RecordKind,
      { result, cluster }: { result: NormalizeResult<AnyDoc>; cluster: string },
    ) => {
      opts.metrics.count({ kind, cluster, result: 'rejected' }, result.rejected.length);
      if (result.docs.length === 0 && result.rejected.length > 0) throw rejectedAll(result.rejected);
      await opts.ingest.publish(kind, result.docs, req.clientSignal);
      return { accepted: result.docs.length, rejected: result.rejected };
    };

    app.post(
      '/v1/ingest/audit',
      {
        config: access,
        schema: {
          summary: 'Kubernetes audit webhook backend: an audit.k8s.io/v1 (or v1beta1) EventList, or one Event',
          tags: ['ingest'],
          querystring,
          body: listBody,
          response: { 200: ingestReply },
        },
      },
      async (req) => {
        const cluster = clusterFor(req, req.query.cluster, opts.cluster);
        const result = normalizeAudit(req.body, { cluster, ingestedAt: Date.now() });
        if (!result) throw new InputError('the body must be an audit EventList, an array of Events or one Event');
        return accept(req, 'audit', { result, cluster });
      },
    );

    app.post(
      '/v1/ingest/events',
      {
        config: access,
        schema: {
          summary: 'Kubernetes Events (core/v1 or events.k8s.io/v1): an EventList or one Event, for push setups',
          tags: ['ingest'],
          querystring,
          body: listBody,
          response: { 200: ingestReply },
        },
      },
      async (req) => {
        const cluster = clusterFor(req, req.query.cluster, opts.cluster);
        const result = normalizeEvents(req.body, { cluster, ingestedAt: Date.now() });
        if (!result) throw new InputError('the body must be an EventList, an array of Events or one Event');
        return accept(req, 'events', { result, cluster });
      },
    );

    app.post(
      '/v1/ingest/logs',
      {
        // Fluent Bit's http output sends json_lines as application/x-ndjson; plain text NDJSON is taken too.
        config: { ...access, bodyTypes: TEXT_BODY_TYPES },
        schema: {
          summary: "Container logs as Fluent Bit's http output sends them (kubernetes filter): NDJSON or a JSON array",
          tags: ['ingest'],
          querystring,
          body: z.union([z.string(), z.array(z.unknown()), z.looseObject({})]),
          response: { 200: ingestReply },
        },
      },
      async (req) => {
        const cluster = clusterFor(req, req.query.cluster, opts.cluster);
        const parsed =
          typeof req.body === 'string'
            ? parseNdjson(req.body)
            : {
                items: (Array.isArray(req.body) ? req.body : [req.body]).map((value, index) => ({ index, value })),
                rejected: [],
              };
        const result = normalizeLogs(parsed.items, { cluster, ingestedAt: Date.now() });
        const rejected = [...parsed.rejected, ...result.rejected].sort((a, b) => a.index - b.index);
        return accept(req, 'logs', { result: { docs: result.docs, rejected }, cluster });
      },
    );
  };
}

/**
 * The cluster every record of the batch is stamped with (the bodies' own fields never choose it): `?cluster=`,
 * else collector.cluster. Either way it must be a cluster of the caller's token scope, so a token scoped to
 * `edge` can write only records of `edge`; records are keyed by (cluster, id), so nothing it sends can
 * replace another cluster's.
 */
function clusterFor(req: FastifyRequest, requested: string | undefined, fallback: string): string {
  const cluster = requested ?? fallback;
  const scope = req.principal?.scope;
  if (scope && !isUnrestricted(scope.clusters) && !scope.clusters.includes(cluster)) {
    const hint = requested
      ? ''
      : ` (collector.cluster, used when the request names none; send ?cluster=${scope.clusters[0] ?? '<cluster>'})`;
    throw new ForbiddenError(`this token may not ingest for cluster "${cluster}"${hint}`);
  }
  return cluster;
}

function rejectedAll(rejected: readonly Rejection[]): InputError {
  const details = rejected.slice(0, 100).map((r) => ({ path: `items.${r.index}`, message: r.reason }));
  return new InputError(
    `none of the ${rejected.length} item(s) is valid; first: item ${rejected[0]!.index}: ${rejected[0]!.reason}`,
    details,
  );
}
