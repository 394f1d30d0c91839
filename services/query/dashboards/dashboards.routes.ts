import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { parseDocumentText } from '../../../libs/dashboards/dashboard.parse.ts';
import { dashboardSchema } from '../../../libs/dashboards/dashboard.schema.ts';
import type { DashboardsService, ViewParams } from './dashboards.service.ts';
import {
  dashboardDocSchema,
  idParams,
  ifMatchHeaders,
  importBodySchema,
  importQuerySchema,
  importResultSchema,
  listSchema,
  renderSchema,
  variableStateSchema,
  versionParams,
  versionSchema,
  versionsSchema,
  viewQuerySchema,
} from './dashboards.schemas.ts';
import { z } from 'zod';
import { cacheControlOf } from '../prometheus-api/cache-control.ts';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];
const tags = ['dashboards'];
const VIEW_DESCRIPTION =
  "`from`/`to`: `now`, `now-6h`, `now-1d/d`, RFC 3339, epoch ms or s (default: the dashboard's time). " +
  'Variables: `var-<name>=<value>`, repeated for several values; `var-<name>=$__all` selects All. ' +
  'Each panel answers `{ id, title, type, data, error? }`; one failing panel does not fail the others.';

/** /v1/dashboards: thin handlers over DashboardsService. Reads need viewer, writes editor. */
export function dashboardsRoutes(service: DashboardsService) {
  return async function routes(parent: FastifyInstance): Promise<void> {
    const app = parent.withTypeProvider<ZodTypeProvider>();
    // Definitions may be sent as YAML; they are parsed here so the same zod schema validates them.
    app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, parseDocumentText(String(body), 'body'));
      } catch (err) {
        done(err as Error, undefined);
      }
    });

    app.get(
      '/v1/dashboards',
      { schema: { tags, summary: 'List built-in and user dashboards', response: { 200: listSchema } } },
      async (req) => ({
        dashboards: await service.list(req.principal, req.clientSignal),
      }),
    );

    app.post(
      '/v1/dashboards',
      { schema: { tags, summary: 'Create a dashboard', body: dashboardSchema, response: { 201: dashboardDocSchema } } },
      async (req, reply) => reply.code(201).send(await service.create(req.body, req.principal, req.clientSignal)),
    );

    app.post(
      '/v1/dashboards/import',
      {
        // The import takes YAML or JSON text as text/plain too (docs/dashboards.md).
        config: { bodyTypes: ['text/plain'] },
        schema: {
          tags,
          summary: 'Import a Grafana dashboard or a KubeSphere Dashboard/ClusterDashboard',
          querystring: importQuerySchema,
          body: importBodySchema,
          response: { 200: importResultSchema, 201: importResultSchema },
        },
      },
      async (req, reply) => {
        const result = await service.import({ body: req.body, ...req.query }, req.principal, req.clientSignal);
        return reply.code(req.query.dryRun ? 200 : 201).send(result);
      },
    );

    app.get(
      '/v1/dashboards/:id',
      {
        schema: {
          tags,
          summary: 'Get a dashboard definition',
          params: idParams,
          response: { 200: dashboardDocSchema },
        },
      },
      async (req) => service.get(req.params.id, req.principal, req.clientSignal),
    );

    app.put(
      '/v1/dashboards/:id',
      {
        schema: {
          tags,
          summary: 'Replace a user dashboard (the old definition is kept as a version)',
          params: idParams,
          headers: ifMatchHeaders,
          body: dashboardSchema,
          response: { 200: dashboardDocSchema },
        },
      },
      async (req) => {
        const ifMatch = req.headers['if-match'];
        return service.update(
          {
            id: req.params.id,
            input: req.body,
            expectedVersion: ifMatch ? Number(ifMatch.replace(/"/g, '')) : undefined,
          },
          req.principal,
          req.clientSignal,
        );
      },
    );

    app.delete(
      '/v1/dashboards/:id',
      { schema: { tags, summary: 'Delete a user dashboard and its versions', params: idParams } },
      async (req, reply) => {
        await service.delete(req.params.id, req.principal, req.clientSignal);
        return reply.code(204).send();
      },
    );

    app.get(
      '/v1/dashboards/:id/versions',
      {
        schema: {
          tags,
          summary: 'Previous versions of a dashboard, newest first',
          params: idParams,
          response: { 200: versionsSchema },
        },
      },
      async (req) => ({
        versions: (await service.versions(req.params.id, req.principal, req.clientSignal)).map(
          ({ definition: _d, ...v }) => v,
        ),
      }),
    );

    app.get(
      '/v1/dashboards/:id/versions/:version',
      {
        schema: {
          tags,
          summary: 'One version of a dashboard',
          params: versionParams,
          response: { 200: versionSchema },
        },
      },
      async (req) =>
        service.version({ id: req.params.id, version: req.params.version }, req.principal, req.clientSignal),
    );

    app.get(
      '/v1/dashboards/:id/render',
      {
        // The schema documents the answer. The service writes it as JSON bytes itself: panels kept in the panel cache
        // are bytes already (panel-cache.ts), and 60-210 KB of points are not re-validated (issue 21: a sixth of a
        // warm reload); render.service.test.ts parses rendered answers with renderSchema.
        schema: {
          tags,
          summary: 'Run every panel with variables substituted',
          description: VIEW_DESCRIPTION,
          params: idParams,
          querystring: viewQuerySchema,
          response: { 200: renderSchema },
        },
      },
      async (req, reply) => {
        const body = await service.renderJson(
          { id: req.params.id, ...viewParams(req.query), ...cacheControlOf(req.headers) },
          req.principal,
          req.clientSignal,
        );
        return reply.type('application/json; charset=utf-8').send(body as never);
      },
    );

    app.get(
      '/v1/dashboards/:id/variables',
      {
        schema: {
          tags,
          summary: 'Variables with their options and selection (for pickers)',
          description: VIEW_DESCRIPTION,
          params: idParams,
          querystring: viewQuerySchema,
          response: { 200: z.object({ variables: z.array(variableStateSchema) }) },
        },
      },
      async (req) => ({
        variables: await service.variables(
          { id: req.params.id, ...viewParams(req.query) },
          req.principal,
          req.clientSignal,
        ),
      }),
    );
  };
}

function viewParams(query: Record<string, unknown>): ViewParams {
  const vars: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(query)) {
    if (!key.startsWith('var-')) continue;
    // Grafana sends a multi-value selection as repeated parameters.
    vars[key.slice(4)] = (Array.isArray(value) ? value : [value]).map(String);
  }
  return {
    from: query.from as string | undefined,
    to: query.to as string | undefined,
    maxDataPoints: query.maxDataPoints as number | undefined,
    vars,
  };
}
