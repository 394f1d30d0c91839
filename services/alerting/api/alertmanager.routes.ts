import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { InputError } from '../../../libs/errors/errors.ts';
import { tryParseDuration as parseDuration } from '../../../libs/promql/literals.ts';
import { compileMatcherRegex, type Regex, type RegexError } from '../../../libs/promql/regex.ts';
import type { AlertingModule } from '../alerting.module.ts';
import { fingerprint } from '../engine/fingerprint.ts';
import { isResolved, type NotifiableAlert } from '../engine/notifiable.ts';
import { matchesAll } from '../notify/matchers.ts';
import { scopeVisible } from './alerts.routes.ts';
import { boolParam, filterMatchers, filterParam, labelsSchema } from './api-schemas.ts';
import {
  expireSilence,
  getSilence,
  gettableSilence,
  listSilences,
  postableSilenceSchema,
  upsertSilence,
} from './silences.routes.ts';

const STARTED = Date.now();

/** Alertmanager compiles the receiver filter as `^(?:re)$` with Go's regexp (api/v2/api.go): RE2, `.` stops at `\n`. */
function anchored(pattern: string): Regex {
  try {
    return compileMatcherRegex(pattern, { dotAll: false });
  } catch (err) {
    throw new InputError(`invalid receiver regex: ${(err as RegexError).reason}`, [
      { path: 'querystring.receiver', message: 'invalid regular expression' },
    ]);
  }
}

const postableAlerts = z.array(
  z.object({
    labels: labelsSchema.refine((l) => Object.keys(l).length > 0, 'an alert needs at least one label'),
    annotations: labelsSchema.default({}),
    startsAt: z.iso.datetime({ offset: true }).optional(),
    endsAt: z.iso.datetime({ offset: true }).optional(),
    generatorURL: z.string().default(''),
  }),
);

/**
 * The part of Alertmanager's API v2 (api/v2/openapi.yaml) that amtool and Prometheus use, under
 * /alertmanager/api/v2: alerts (Prometheus posts here), silences, receivers, status.
 */
export function alertmanagerRoutes(getModule: () => Promise<AlertingModule>): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const p = '/alertmanager/api/v2';
    const tags = ['alertmanager-v2'];

    app.get(`${p}/status`, { schema: { tags } }, async () => ({
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
    }));

    app.get(`${p}/receivers`, { schema: { tags } }, async () =>
      [...(await getModule()).receivers.keys()].map((name) => ({ name })),
    );

    app.get(
      `${p}/alerts`,
      {
        schema: {
          tags,
          querystring: z.object({
            filter: filterParam,
            active: boolParam,
            silenced: boolParam,
            inhibited: boolParam,
            unprocessed: boolParam,
            receiver: z.string().optional(),
          }),
        },
      },
      async (req) => {
        const m = await getModule();
        const matchers = filterMatchers(req.query.filter);
        const receiverRe = req.query.receiver === undefined ? undefined : anchored(req.query.receiver);
        const now = Date.now();
        const resolveMs = parseDuration(m.opts.config.global.resolve_timeout) as number;
        const out = [];
        for (const a of m.dispatcher.all()) {
          if (isResolved(a, now) || !matchesAll(matchers, a.labels) || !scopeVisible(req, a.labels)) continue;
          const receivers = m.dispatcher.receiversFor(a.labels);
          if (receiverRe && !receivers.some((r) => receiverRe.test(r))) continue;
          const { silencedBy, inhibitedBy } = await m.dispatcher.status(a);
          const state = silencedBy.length || inhibitedBy.length ? 'suppressed' : 'active';
          if (
            (state === 'active' && req.query.active === false) ||
            (silencedBy.length && req.query.silenced === false) ||
            (inhibitedBy.length && req.query.inhibited === false)
          )
            continue;
          out.push({
            labels: a.labels,
            annotations: a.annotations,
            startsAt: new Date(a.startsAt).toISOString(),
            endsAt: new Date(a.endsAt ?? now + resolveMs).toISOString(),
            updatedAt: new Date(a.updatedAt).toISOString(),
            generatorURL: a.generatorURL,
            fingerprint: a.fingerprint,
            receivers: receivers.map((name) => ({ name })),
            status: { state, silencedBy, inhibitedBy },
          });
        }
        return out;
      },
    );

    // Prometheus (and amtool alert add) post here; machine intake, so the ingest role.
    app.post(
      `${p}/alerts`,
      { config: { access: { role: 'ingest' } }, schema: { tags, body: postableAlerts } },
      async (req) => {
        const m = await getModule();
        const now = Date.now();
        const resolveMs = parseDuration(m.opts.config.global.resolve_timeout) as number;
        const alerts: NotifiableAlert[] = req.body.map((a) => {
          const startsAt = a.startsAt ? Date.parse(a.startsAt) : now;
          // Alertmanager: an alert without endsAt is firing until resolve_timeout passes without an update.
          const endsAt = a.endsAt && Date.parse(a.endsAt) > 0 ? Date.parse(a.endsAt) : now + resolveMs;
          return {
            fingerprint: fingerprint(a.labels),
            labels: a.labels,
            annotations: a.annotations,
            startsAt,
            endsAt,
            generatorURL: a.generatorURL,
            updatedAt: now,
          };
        });
        m.dispatcher.put(alerts);
        return {};
      },
    );

    app.get(`${p}/silences`, { schema: { tags, querystring: z.object({ filter: filterParam }) } }, async (req) => {
      const now = Date.now();
      return (await listSilences(await getModule(), req, req.query.filter)).map((s) => gettableSilence(s, now));
    });

    app.post(`${p}/silences`, { schema: { tags, body: postableSilenceSchema } }, async (req) => {
      const s = await upsertSilence(await getModule(), req, req.body);
      return { silenceID: s.id };
    });

    const idParams = z.object({ id: z.string().min(1) });
    app.get(`${p}/silence/:id`, { schema: { tags, params: idParams } }, async (req) =>
      gettableSilence(await getSilence(await getModule(), req, req.params.id)),
    );
    app.delete(`${p}/silence/:id`, { schema: { tags, params: idParams } }, async (req) => {
      await expireSilence(await getModule(), req, req.params.id);
      return {};
    });
  };
}
