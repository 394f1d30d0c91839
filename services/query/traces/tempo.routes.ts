import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { InputError } from '../../../libs/errors/errors.ts';
import { goDurationNanos, parseLogfmtTags } from '../../../libs/traces/tempo-params.ts';
import { resourceSpans } from '../../../libs/traces/tempo-format.ts';
import { traceProtobuf } from '../../../libs/traces/tempo-protobuf.ts';
import { searchQuerySchema, tagNameParams, tagsQuerySchema, traceIdParams } from './traces.schemas.ts';
import type { SearchParams, TracesService } from './traces.service.ts';

const HOUR_MS = 3_600_000;
const tags = ['traces'];
const access = { access: { role: 'viewer' as const } };

/**
 * Grafana's Tempo data source against Pharos (`URL: http://pharos:8080/tempo`): the trace by id, search
 * with tags and durations, tag names and values, echo. Answers are Tempo's shapes (grafana/tempo
 * docs/sources/tempo/api_docs); the caller's scope narrows every one, and a trace answer says how many
 * of its spans were withheld (`pharos.withheldSpans`, header `x-pharos-withheld-spans`).
 */
export function tempoRoutes(service: TracesService): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/tempo/api/echo',
      { config: access, schema: { tags, summary: "Tempo echo: the data source's connection check" } },
      async (_req, reply) => reply.type('text/plain').send('echo'),
    );

    app.get(
      '/tempo/api/traces/:traceID',
      {
        config: access,
        schema: {
          tags,
          summary:
            'A trace by id as Tempo answers it: {"batches": [OTLP/JSON ResourceSpans]}, or tempopb.Trace in protobuf for Accept: application/protobuf',
          params: traceIdParams,
        },
      },
      async (req, reply) => {
        const id = req.params.traceID.toLowerCase().padStart(32, '0');
        const answer = await service.trace(id, req.principal.scope);
        const batches = resourceSpans(answer.spans);
        void reply
          .header('x-pharos-withheld-spans', String(answer.withheld))
          .header('x-pharos-truncated', String(answer.truncated));
        if (wantsProtobuf(req.headers.accept)) return reply.type('application/protobuf').send(traceProtobuf(batches));
        return {
          batches,
          pharos: { spans: answer.spans.length, withheldSpans: answer.withheld, truncated: answer.truncated },
        };
      },
    );

    app.get(
      '/tempo/api/search',
      {
        config: access,
        schema: {
          tags,
          summary: "Search traces (Tempo's tag search): tags, minDuration/maxDuration, start/end, limit",
          querystring: searchQuerySchema,
        },
      },
      async (req) => {
        const q = req.query;
        if (q.q !== undefined)
          throw new InputError('TraceQL (q) is not supported by Pharos: search with tags, minDuration, maxDuration', [
            { path: 'q', message: 'not supported' },
          ]);
        const result = await service.search(searchParams(q), req.principal.scope);
        return {
          traces: result.traces,
          metrics: {
            inspectedTraces: result.inspectedTraces,
            inspectedSpans: result.inspectedSpans,
            completedJobs: 1,
            totalJobs: 1,
          },
        };
      },
    );

    app.get(
      '/tempo/api/search/tags',
      {
        config: access,
        schema: { tags, summary: 'Tag names of recent spans in scope', querystring: tagsQuerySchema },
      },
      async (req) => ({ tagNames: await service.tagNames(range(req.query), req.principal.scope) }),
    );

    app.get(
      '/tempo/api/search/tag/:name/values',
      {
        config: access,
        schema: {
          tags,
          summary: 'Values of one tag among recent spans in scope',
          params: tagNameParams,
          querystring: tagsQuerySchema,
        },
      },
      async (req) => ({
        tagValues: await service.tagValues({ tag: req.params.name, range: range(req.query) }, req.principal.scope),
      }),
    );
  };
}

/** Grafana's Tempo data source sends `Accept: application/protobuf` for trace by id; JSON otherwise. */
const wantsProtobuf = (accept: string | undefined): boolean => /application\/(x-)?protobuf/.test(accept ?? '');

function range(q: { start?: string | undefined; end?: string | undefined }): { start: number; end: number } {
  const end = q.end === undefined ? Date.now() : Number(q.end) * 1000;
  const start = q.start === undefined ? end - HOUR_MS : Number(q.start) * 1000;
  if (start > end) throw new InputError('start must not be after end', [{ path: 'start', message: 'after end' }]);
  // Tempo's end is inclusive of its second; the store's is exclusive.
  return { start, end: end + 1000 };
}

function searchParams(q: {
  tags?: string | undefined;
  service?: string | undefined;
  spanName?: string | undefined;
  minDuration?: string | undefined;
  maxDuration?: string | undefined;
  limit: number;
  start?: string | undefined;
  end?: string | undefined;
}): SearchParams {
  const parsed = parseLogfmtTags(q.tags ?? '');
  const { name, 'service.name': serviceTag, ...rest } = parsed;
  const services = [q.service, serviceTag].filter((v): v is string => v !== undefined);
  const names = [q.spanName, name].filter((v): v is string => v !== undefined);
  if (new Set(services).size > 1 || new Set(names).size > 1)
    throw new InputError('service / span name given twice with different values', [
      { path: 'tags', message: 'conflicting values' },
    ]);
  const minDurationNanos = q.minDuration === undefined ? undefined : goDurationNanos(q.minDuration, 'minDuration');
  const maxDurationNanos = q.maxDuration === undefined ? undefined : goDurationNanos(q.maxDuration, 'maxDuration');
  return {
    ...range(q),
    tags: rest,
    limit: q.limit,
    ...(services.length ? { services: [services[0] as string] } : {}),
    ...(names.length ? { names: [names[0] as string] } : {}),
    ...(minDurationNanos !== undefined ? { minDurationNanos } : {}),
    ...(maxDurationNanos !== undefined ? { maxDurationNanos } : {}),
  };
}
