import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { InputError, type ErrorCode } from '../../../libs/errors/errors.ts';
import { toErrorBody } from '../../../libs/http/error-handler.ts';
import { cacheControlOf } from './cache-control.ts';
import { listAnswer } from './list-answer.ts';
import { PromqlReadService } from './promql-read.service.ts';
import type { FederatedQueryService, FederatedResult } from '../../../libs/federation/federation.types.ts';
import {
  matchParam,
  parseDurationParam,
  parseForm,
  parseTimeParam,
  partialParam,
  promParamsSchema,
  type PromParams,
} from './prom-params.ts';

/** Prometheus's errorType for each Pharos error code (web/api/v1/api.go: bad_data 400, execution 422, timeout 503). */
const ERROR_TYPES: Partial<Record<ErrorCode, string>> = {
  PHAROS_ERR_VALIDATION: 'bad_data',
  PHAROS_ERR_BAD_JSON: 'bad_data',
  PHAROS_ERR_LIMIT: 'bad_data',
  PHAROS_ERR_UNSUPPORTED_MEDIA_TYPE: 'bad_data',
  PHAROS_ERR_PAYLOAD_TOO_LARGE: 'bad_data',
  PHAROS_ERR_UNPROCESSABLE: 'execution',
  PHAROS_ERR_TIMEOUT: 'timeout',
  PHAROS_ERR_UNAVAILABLE: 'unavailable',
  PHAROS_ERR_NOT_FOUND: 'not_found',
  PHAROS_ERR_UNAUTHENTICATED: 'unauthorized',
  PHAROS_ERR_FORBIDDEN: 'forbidden',
};

/**
 * Buildinfo for Grafana, which reads `version` to decide what the data source can do: the Prometheus version
 * whose semantics the federation serves (the members', issue 16), then Pharos's own version and per member.
 */
const BUILD_INFO = {
  revision: 'pharos',
  branch: 'pharos',
  buildUser: 'pharos',
  buildDate: '20260101-00:00:00',
  goVersion: 'n/a',
};
const PHAROS_VERSION = '0.1.0';

export interface PrometheusApiOptions {
  federation: () => Promise<FederatedQueryService>;
}

const viewer = { access: { role: 'viewer' as const } };

/**
 * The Prometheus-compatible HTTP API under /prometheus/api/v1, so Grafana (URL …/prometheus) and promtool
 * work against Pharos. Keeps Prometheus's envelope; errors come from the catalogue, wrapped in it, with `code`.
 */
export function prometheusApiRoutes(opts: PrometheusApiOptions): FastifyPluginAsync {
  const promql = new PromqlReadService(opts);
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
      done(null, parseForm(body as string)),
    );
    app.setErrorHandler((error, request, reply) => {
      const { status, body } = toErrorBody(error);
      if (status >= 500 && body.error.code === 'PHAROS_ERR_INTERNAL')
        request.log.error({ err: error }, 'prometheus api request failed');
      void reply.code(status).send({
        status: 'error',
        errorType: ERROR_TYPES[body.error.code] ?? 'internal',
        error: body.error.message,
        code: body.error.code,
      });
    });
    const schemaFor = (method: 'GET' | 'POST') => ({
      querystring: promParamsSchema,
      ...(method === 'POST' ? { body: promParamsSchema.optional() } : {}),
      tags: ['prometheus'],
    });
    const params = (req: FastifyRequest): PromParams => ({
      ...(req.query as PromParams),
      ...((req.body as PromParams | undefined) ?? {}),
    });
    // Issue 8: every query and match[] carries the caller's scope, and answers are re-checked (libs/tenancy),
    // at the service's entry: the route hands over the principal's Scope only.
    const fedFor = (req: FastifyRequest) => promql.forScope(req.principal.scope);
    const both = (
      path: string,
      summary: string,
      handler: (p: PromParams, req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
    ) => {
      for (const method of ['GET', 'POST'] as const) {
        app.route({
          method,
          url: `/prometheus/api/v1/${path}`,
          config: viewer,
          schema: { ...schemaFor(method), summary },
          handler: (req, reply) => handler(params(req), req, reply),
        });
      }
    };

    both('query', 'PromQL instant query across every cluster', async (p, req, reply) => {
      const fed = await fedFor(req);
      const r = await fed.instant(
        {
          query: required(p.query, 'query'),
          time: parseTimeParam('time', p.time, Date.now() / 1000),
          ...common(p),
          ...cacheControlOf(req.headers),
        },
        req.clientSignal,
      );
      return answer(reply, r);
    });
    both('query_range', 'PromQL range query across every cluster', async (p, req, reply) => {
      const fed = await fedFor(req);
      const step = parseDurationParam('step', required(p.step, 'step')) as number;
      const r = await fed.range(
        {
          query: required(p.query, 'query'),
          start: parseTimeParam('start', required(p.start, 'start'), 0),
          end: parseTimeParam('end', required(p.end, 'end'), 0),
          step,
          ...common(p),
          ...cacheControlOf(req.headers),
        },
        req.clientSignal,
      );
      return answer(reply, r);
    });
    both('series', 'Series matching match[] in every cluster, with a cluster label', async (p, req, reply) => {
      const r = await (
        await fedFor(req)
      ).series({ match: matchParam(p), ...range(p), ...cacheControlOf(req.headers) }, req.clientSignal);
      return reply.type('application/json; charset=utf-8').send(listAnswer(r.data, r.warnings));
    });
    both('labels', 'Label names across clusters', async (p, req) => {
      const r = await (
        await fedFor(req)
      ).labelNames({ match: matchParam(p), ...range(p), ...cacheControlOf(req.headers) }, req.clientSignal);
      return success(r.data, r.warnings);
    });
    app.get(
      '/prometheus/api/v1/label/:name/values',
      {
        config: viewer,
        schema: {
          querystring: promParamsSchema,
          params: z.object({ name: z.string() }),
          tags: ['prometheus'],
          summary: 'Values of one label across clusters',
        },
      },
      async (req) => {
        const r = await (
          await fedFor(req)
        ).labelValues(
          req.params.name,
          { match: matchParam(req.query), ...range(req.query), ...cacheControlOf(req.headers) },
          req.clientSignal,
        );
        return success(r.data, r.warnings);
      },
    );
    app.get(
      '/prometheus/api/v1/metadata',
      {
        config: viewer,
        schema: {
          querystring: promParamsSchema,
          tags: ['prometheus'],
          summary: 'Metric metadata merged across clusters',
        },
      },
      async (req) => {
        const limit = req.query.limit === undefined || req.query.limit === '' ? undefined : Number(req.query.limit);
        if (limit !== undefined && !Number.isInteger(limit))
          throw new InputError('invalid parameter "limit": not an integer');
        const q = {
          ...(req.query.metric ? { metric: req.query.metric } : {}),
          ...(limit === undefined ? {} : { limit }),
        };
        const r = await promql.metadata(q, req.clientSignal);
        return success(r.data, r.warnings);
      },
    );
    both('query_exemplars', 'Exemplars (not federated: always empty)', async () => success([], []));
    app.get(
      '/prometheus/api/v1/status/buildinfo',
      {
        config: viewer,
        schema: {
          tags: ['prometheus'],
          summary:
            "Build information: the Prometheus semantics served (Grafana reads the version), Pharos's version, the members' versions",
        },
      },
      async (req) => {
        const info = await promql.buildInfo(req.principal.scope, req.clientSignal);
        const members = info?.members ?? {};
        return success(
          {
            version: info?.version ?? '2.42.0',
            ...BUILD_INFO,
            pharosVersion: PHAROS_VERSION,
            semantics: info?.semantics ?? 'Prometheus 2.42.x-compatible',
            members,
          },
          [],
        );
      },
    );
  };
}

function required(v: string | undefined, name: string): string {
  if (v === undefined || v === '') throw new InputError(`invalid parameter "${name}": missing`);
  return v;
}

function common(p: PromParams): { partialResponse?: boolean; timeoutMs?: number } {
  const partial = partialParam(p);
  const timeout = parseDurationParam('timeout', p.timeout);
  return {
    ...(partial === undefined ? {} : { partialResponse: partial }),
    ...(timeout === undefined ? {} : { timeoutMs: Math.round(timeout * 1000) }),
  };
}

function range(p: PromParams): { start?: number; end?: number } {
  return {
    ...(p.start ? { start: parseTimeParam('start', p.start, 0) } : {}),
    ...(p.end ? { end: parseTimeParam('end', p.end, 0) } : {}),
  };
}

function success(data: unknown, warnings: string[]): Record<string, unknown> {
  return warnings.length ? { status: 'success', data, warnings } : { status: 'success', data };
}

/**
 * Per-cluster status goes in the body (`clusters`) and in a header, for clients that keep only `data`;
 * Prometheus 3's `infos` annotations and the semantics the answer follows (`semantics`) beside them.
 */
function answer(reply: FastifyReply, r: FederatedResult): Record<string, unknown> {
  void reply.header(
    'x-pharos-clusters',
    Object.entries(r.clusters)
      .map(([c, s]) => `${c}=${s.status}`)
      .join(','),
  );
  return {
    ...success({ resultType: r.resultType, result: r.result }, r.warnings),
    ...(r.infos?.length ? { infos: r.infos } : {}),
    clusters: r.clusters,
    ...(r.semantics ? { semantics: r.semantics } : {}),
  };
}
