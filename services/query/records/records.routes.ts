import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { RECORD_KINDS } from '../../../libs/schemas/records.ts';
import { EXPORT_CONTENT_TYPE, RANGE_HEADERS, exportStream } from './records-export.ts';
import {
  exportQuerySchema,
  histogramQuerySchema,
  histogramResponseSchema,
  searchQuerySchema,
  searchResponseSchema,
  statsQuerySchema,
  statsResponseSchema,
} from './records.schemas.ts';
import type { RecordsService } from './records.service.ts';

/**
 * GET /v1/{logs,events,audit}[/histogram|/stats|/export]: thin handlers over RecordsService, one set per
 * kind from the same schemas. Viewer role; the caller's scope narrows every query.
 */
export function recordsRoutes(service: RecordsService): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const access = { access: { role: 'viewer' as const } };
    for (const kind of RECORD_KINDS) {
      const tags = [kind];
      app.get(
        `/v1/${kind}`,
        {
          config: access,
          // The schema documents the answer; the records come from the store already in that shape, so a page
          // of up to query.maxPageSize records is written without re-validating each one.
          serializerCompiler: () => (data) => JSON.stringify(data),
          schema: {
            tags,
            summary: `Search ${kind}`,
            querystring: searchQuerySchema(kind),
            response: { 200: searchResponseSchema(kind) },
          },
        },
        async (request) => service.search(kind, request.query, request.principal.scope),
      );

      app.get(
        `/v1/${kind}/histogram`,
        {
          config: access,
          schema: {
            tags,
            summary: `Count ${kind} per time bucket`,
            querystring: histogramQuerySchema(kind),
            response: { 200: histogramResponseSchema },
          },
        },
        async (request) => service.histogram(kind, request.query, request.principal.scope),
      );

      app.get(
        `/v1/${kind}/stats`,
        {
          config: access,
          schema: {
            tags,
            summary: `Count ${kind} by a field`,
            querystring: statsQuerySchema(kind),
            response: { 200: statsResponseSchema },
          },
        },
        async (request) => service.stats(kind, request.query, request.principal.scope),
      );

      app.get(
        `/v1/${kind}/export`,
        {
          config: access,
          schema: {
            tags,
            summary: `Export every matching ${kind} record (streamed NDJSON or CSV)`,
            querystring: exportQuerySchema(kind),
            description: `The effective range (epoch ms, start inclusive, end exclusive) is in the ${RANGE_HEADERS.start} and ${RANGE_HEADERS.end} headers.`,
          },
        },
        async (request, reply) => {
          const { docs, start, end } = await service.export(
            { kind, query: request.query },
            request.principal.scope,
            request.clientSignal,
          );
          const ext = request.query.format === 'csv' ? 'csv' : 'ndjson';
          return (
            reply
              .header('content-type', EXPORT_CONTENT_TYPE[request.query.format])
              .header('content-disposition', `attachment; filename="${kind}.${ext}"`)
              // The range goes in headers, so the body stays plain NDJSON / RFC 4180 CSV (records only).
              .header(RANGE_HEADERS.start, String(start))
              .header(RANGE_HEADERS.end, String(end))
              .send(exportStream(kind, request.query.format, docs))
          );
        },
      );
    }
  };
}
