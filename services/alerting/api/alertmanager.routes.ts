import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AlertingServices } from '../service/alerting-services.ts';
import {
  boolParam,
  filterList,
  filterMatchers,
  filterParam,
  labelsSchema,
  postableSilenceSchema,
} from './api-schemas.ts';
import { callerScope } from './request-scope.ts';

type Services = () => Promise<AlertingServices>;

const STARTED = Date.now();
const PREFIX = '/alertmanager/api/v2';
const tags = ['alertmanager-v2'];

const postableAlerts = z.array(
  z.object({
    labels: labelsSchema.refine((l) => Object.keys(l).length > 0, 'an alert needs at least one label'),
    annotations: labelsSchema.default({}),
    startsAt: z.iso.datetime({ offset: true }).optional(),
    endsAt: z.iso.datetime({ offset: true }).optional(),
    generatorURL: z.string().default(''),
  }),
);

const alertsQuery = z.object({
  filter: filterParam,
  active: boolParam,
  silenced: boolParam,
  inhibited: boolParam,
  unprocessed: boolParam,
  receiver: z.string().optional(),
});

const status = () => ({
  cluster: { name: 'pharos', status: 'ready', peers: [] },
  versionInfo: {
    version: '0.25.0-pharos',
    revision: 'pharos',
    branch: 'main',
    buildUser: 'pharos',
    buildDate: '',
    goVersion: 'n/a',
  },
  config: { original: '' },
  uptime: new Date(STARTED).toISOString(),
});

/**
 * The part of Alertmanager's API v2 (api/v2/openapi.yaml) that amtool and Prometheus use, under
 * /alertmanager/api/v2: alerts (Prometheus posts here), silences, receivers, status — over the same services as /v1.
 */
export function alertmanagerRoutes(getServices: Services): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.get(`${PREFIX}/status`, { schema: { tags } }, async () => status());
    app.get(`${PREFIX}/receivers`, { schema: { tags } }, async () =>
      (await getServices()).receivers.names().map((name) => ({ name })),
    );
    app.get(`${PREFIX}/alerts`, { schema: { tags, querystring: alertsQuery } }, async (req) => {
      const { filter, active, silenced, inhibited, receiver } = req.query;
      const matchers = filterMatchers(filter);
      const query = { matchers, active, silenced, inhibited, receiver };
      return (await getServices()).alertmanagerAlerts.list(callerScope(req), query);
    });
    // Prometheus (and amtool alert add) post here; machine intake, so the ingest role.
    app.post(
      `${PREFIX}/alerts`,
      { config: { access: { role: 'ingest' } }, schema: { tags, body: postableAlerts } },
      async (req) => {
        (await getServices()).alertmanagerAlerts.receive(req.body);
        return {};
      },
    );
    await app.register(amSilencesRoutes(getServices));
  };
}

/** Alertmanager v2's silences: the same SilencesService as /v1/silences, in v2's answer shapes. */
function amSilencesRoutes(getServices: Services): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const idParams = z.object({ id: z.string().min(1) });
    const silences = async () => (await getServices()).silences;
    app.get(`${PREFIX}/silences`, { schema: { tags, querystring: z.object({ filter: filterParam }) } }, async (req) =>
      (await silences()).list(callerScope(req), filterList(req.query.filter)),
    );
    app.post(`${PREFIX}/silences`, { schema: { tags, body: postableSilenceSchema } }, async (req) => {
      const s = await (await silences()).upsert(callerScope(req), req.body);
      return { silenceID: s.id };
    });
    app.get(`${PREFIX}/silence/:id`, { schema: { tags, params: idParams } }, async (req) =>
      (await silences()).get(callerScope(req), req.params.id),
    );
    app.delete(`${PREFIX}/silence/:id`, { schema: { tags, params: idParams } }, async (req) => {
      await (await silences()).expire(callerScope(req), req.params.id);
      return {};
    });
  };
}
