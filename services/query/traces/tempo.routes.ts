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
      async (req, reply) => {
        const q = req.query;
        if (q.q !== undefined)
          throw new InputError('TraceQL (q) is not supported by Pharos: search with tags, minDuration, maxDuration', [
            { path: 'q', message: 'not supported' },
          ]);
        const result = await service.search(searchParams(q), req.principal.scope);
        void reply.header('x-pharos-truncated', String(result.truncatedTraces.length > 0));
        return {
          traces: result.traces,
          metrics: {
            inspectedTraces: result.inspectedTraces,
            inspectedSpans: result.inspectedSpans,
            completedJobs: 1,
            totalJobs: 1,
          },
          pharos: { truncatedTraces: result.truncatedTraces },
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

/** Most traces one search answers: a larger `limit` is read as this one, as Tempo caps at its max_result_limit. */
export const MAX_SEARCH_LIMIT = 1000;

/**
 * Tempo's search parameters (grafana/tempo pkg/api ParseSearchRequest): a tag given twice is refused,
 * durations are cut to whole ms and `maxDuration` under `minDuration` is refused, `limit` must be positive
 * and is capped. `k8s.cluster.name` and `cluster` tags name the stored cluster.
 */
function searchParams(q: {
  tags?: string | undefined;
  service?: string | undefined;
  spanName?: string | undefined;
  minDuration?: string | undefined;
  maxDuration?: string | undefined;
  limit: number;
  spss?: number | undefined;
  start?: string | undefined;
  end?: string | undefined;
}): SearchParams {
  const parsed = parseLogfmtTags(q.tags ?? '');
  const { name, 'service.name': serviceTag, 'k8s.cluster.name': clusterAttr, cluster: clusterTag, ...rest } = parsed;
  const services = one('service / service.name', [q.service, serviceTag]);
  const names = one('spanName / name', [q.spanName, name]);
  const cluster = one('k8s.cluster.name / cluster', [clusterAttr, clusterTag]);
  const minDurationMs = durationMs(q.minDuration, 'minDuration');
  const maxDurationMs = durationMs(q.maxDuration, 'maxDuration');
  if (minDurationMs && maxDurationMs && minDurationMs > maxDurationMs)
    throw new InputError('maxDuration must not be less than minDuration', [
      { path: 'maxDuration', message: 'less than minDuration' },
    ]);
  return {
    ...range(q),
    tags: rest,
    limit: Math.min(q.limit, MAX_SEARCH_LIMIT),
    ...(q.spss !== undefined ? { spansPerSpanSet: q.spss } : {}),
    ...(services !== undefined ? { services: [services] } : {}),
    ...(names !== undefined ? { names: [names] } : {}),
    ...(cluster !== undefined ? { cluster } : {}),
    ...(minDurationMs !== undefined ? { minDurationMs } : {}),
    ...(maxDurationMs !== undefined ? { maxDurationMs } : {}),
  };
}

/** The one value given for a parameter and its tag synonym; 400 when they differ. */
function one(what: string, values: (string | undefined)[]): string | undefined {
  const given = new Set(values.filter((v): v is string => v !== undefined));
  if (given.size > 1)
    throw new InputError(`${what} given twice with different values`, [
      { path: 'tags', message: 'conflicting values' },
    ]);
  return [...given][0];
}

/** A Go duration cut to whole milliseconds, as Tempo's `uint32(dur.Milliseconds())`. */
function durationMs(text: string | undefined, param: string): number | undefined {
  return text === undefined ? undefined : Math.floor(goDurationNanos(text, param) / 1e6);
}
