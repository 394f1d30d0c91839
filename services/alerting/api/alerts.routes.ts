import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { scopeAllows } from '../../../libs/auth/principal.ts';
import { ForbiddenError, InputError, NotFoundError } from '../../../libs/errors/errors.ts';
import { isFullScope } from '../../../libs/tenancy/promql-scope.ts';
import type { AlertingModule } from '../alerting.module.ts';
import { matchesAll } from '../notify/matchers.ts';
import { deliverySettings } from '../alerting.module.ts';
import { notificationData } from '../notify/notification-data.ts';
import { NotifyError } from '../notify/receivers/integration.ts';
import { filterMatchers, filterParam, labelsSchema, pageParams } from './api-schemas.ts';

/**
 * A principal limited to some clusters or namespaces sees only alerts whose `cluster` and `namespace` labels
 * are in its scope; a namespace-scoped caller does not see alerts without a namespace (node-level), as in
 * PromQL (libs/tenancy/promql-scope.ts).
 */
export function scopeVisible(req: FastifyRequest, labels: Record<string, string>): boolean {
  return req.principal ? scopeAllows(req.principal.scope, labels.cluster, labels.namespace) : true;
}

/**
 * Rules and receivers act on every cluster's data (a rule's query is not scoped), so changing them, backtesting or
 * test-sending needs a token unrestricted in clusters and namespaces.
 */
export function requireFullScope(req: FastifyRequest): void {
  if (req.principal && !isFullScope(req.principal.scope)) {
    throw new ForbiddenError(
      `${req.method} ${req.routeOptions.url ?? req.url} needs a token not restricted to some clusters or namespaces`,
    );
  }
}

const sampleAlerts = z
  .array(
    z.object({
      labels: labelsSchema,
      annotations: labelsSchema.default({}),
      status: z.enum(['firing', 'resolved']).default('firing'),
    }),
  )
  .min(1)
  .max(100);

/** /v1/alerts, /v1/alerts/history, /v1/notifications, /v1/receivers (with preview and test-send). */
export function alertsRoutes(getModule: () => Promise<AlertingModule>): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/v1/alerts',
      {
        schema: {
          tags: ['alerting'],
          summary: 'Active alerts (pending and firing)',
          querystring: z.object({
            state: z.enum(['pending', 'firing']).optional(),
            filter: filterParam,
            alertname: z.string().optional(),
          }),
        },
      },
      async (req) => {
        const m = await getModule();
        const matchers = filterMatchers(req.query.filter);
        const states = await m.repo.loadAll();
        const alerts = [];
        for (const s of states.values()) {
          for (const a of s.alerts) {
            if (a.state === 'inactive' || (req.query.state && a.state !== req.query.state)) continue;
            if (
              (req.query.alertname && a.labels.alertname !== req.query.alertname) ||
              !matchesAll(matchers, a.labels) ||
              !scopeVisible(req, a.labels)
            )
              continue;
            alerts.push({
              fingerprint: a.fingerprint,
              state: a.state,
              labels: a.labels,
              annotations: a.annotations,
              value: a.value,
              activeAt: new Date(a.activeAt).toISOString(),
              ...(a.firedAt ? { firedAt: new Date(a.firedAt).toISOString() } : {}),
              rule: { group: s.group, health: s.health, clusterErrors: s.clusterErrors },
            });
          }
        }
        alerts.sort((x, y) => (x.activeAt < y.activeAt ? -1 : 1));
        return { alerts };
      },
    );

    app.get(
      '/v1/alerts/history',
      {
        schema: {
          tags: ['alerting'],
          summary: 'Every alert state transition, newest first',
          querystring: z.object({
            alertname: z.string().optional(),
            state: z.enum(['pending', 'firing', 'inactive']).optional(),
            filter: filterParam,
            ...pageParams,
          }),
        },
      },
      async (req) => {
        const matchers = filterMatchers(req.query.filter);
        const labels: Record<string, string> = {};
        for (const mt of matchers) {
          if (mt.type !== '=')
            throw new InputError('history filters are label equalities (name="value")', [
              { path: 'querystring.filter', message: 'use =' },
            ]);
          labels[mt.name] = mt.value;
        }
        const page = await (
          await getModule()
        ).repo.history({
          ...(req.query.alertname ? { alertname: req.query.alertname } : {}),
          ...(req.query.state ? { state: req.query.state } : {}),
          labels,
          limit: req.query.limit,
          ...(req.query.cursor ? { cursor: req.query.cursor } : {}),
        });
        return {
          items: page.items
            .filter((e) => scopeVisible(req, e.labels))
            .map((e) => ({
              time: new Date(e.time).toISOString(),
              alertname: e.alertname,
              fingerprint: e.fingerprint,
              from: e.from,
              to: e.to,
              value: e.value,
              labels: e.labels,
              group: e.group,
            })),
          next: page.next,
        };
      },
    );

    app.get(
      '/v1/notifications',
      {
        schema: {
          tags: ['alerting'],
          summary: 'The notification log: what was sent, to whom, when, with what result',
          querystring: z.object({
            receiver: z.string().optional(),
            result: z.enum(['sent', 'failed', 'muted', 'retrying']).optional(),
            status: z.enum(['firing', 'resolved']).optional(),
            ...pageParams,
          }),
        },
      },
      async (req) => {
        // Entries name receivers' addresses and carry whole groups of alerts: unrestricted tokens only.
        requireFullScope(req);
        const { receiver, result, status, limit, cursor } = req.query;
        const page = await (
          await getModule()
        ).nflog.list({
          ...(receiver ? { receiver } : {}),
          ...(result ? { result } : {}),
          ...(status ? { status } : {}),
          limit,
          ...(cursor ? { cursor } : {}),
        });
        return { items: page.items.map((n) => ({ ...n, time: new Date(n.time).toISOString() })), next: page.next };
      },
    );

    // Receivers hold the whole organisation's addresses and URLs: unrestricted tokens only.
    app.get('/v1/receivers', { schema: { tags: ['alerting'] } }, async (req) => {
      requireFullScope(req);
      const m = await getModule();
      return {
        receivers: [...m.receivers].map(([name, list]) => ({
          name,
          integrations: list.map((i) => ({
            type: i.type,
            index: i.index,
            target: i.target,
            sendResolved: i.sendResolved,
          })),
        })),
      };
    });

    const previewSchema = {
      tags: ['alerting'],
      params: z.object({ name: z.string() }),
      body: z.object({ alerts: sampleAlerts.optional() }).strict().default({}),
    };
    // A POST without a body (curl -X POST) reaches validation as null, which the default does not cover.
    const emptyBody = { preValidation: async (req: { body: unknown }) => void (req.body ??= {}) };
    const sample = async (name: string, alerts: z.infer<typeof sampleAlerts> | undefined) => {
      const m = await getModule();
      const integrations = m.receivers.get(name);
      if (!integrations) throw new NotFoundError(`receiver "${name}" not found`);
      const now = Date.now();
      const list = (
        alerts ?? [
          {
            labels: { alertname: 'PharosTestAlert', severity: 'none' },
            annotations: { summary: 'Test notification from Pharos' },
            status: 'firing' as const,
          },
        ]
      ).map((a, i) => ({
        fingerprint: `test${i}`,
        labels: a.labels,
        annotations: a.annotations,
        startsAt: now - 60_000,
        ...(a.status === 'resolved' ? { endsAt: now } : {}),
        generatorURL: m.opts.externalUrl,
        updatedAt: now,
      }));
      const data = notificationData({
        receiver: name,
        groupKey: `{}/test:{}`,
        groupLabels: {},
        alerts: list,
        now,
        externalUrl: m.opts.externalUrl,
      });
      return { integrations, data };
    };

    app.post(
      '/v1/receivers/:name/preview',
      { ...emptyBody, schema: { ...previewSchema, summary: 'Render what each integration of a receiver would send' } },
      async (req) => {
        requireFullScope(req);
        const { integrations, data } = await sample(req.params.name, req.body.alerts);
        return {
          previews: integrations.map((i) => ({
            type: i.type,
            index: i.index,
            target: i.target,
            rendered: safe(() => i.render(data)),
          })),
        };
      },
    );

    app.post(
      '/v1/receivers/:name/test',
      {
        ...emptyBody,
        schema: { ...previewSchema, summary: 'Send a test notification through every integration of a receiver' },
      },
      async (req) => {
        requireFullScope(req);
        const { integrations, data } = await sample(req.params.name, req.body.alerts);
        const m = await getModule();
        const { timeoutMs } = deliverySettings(m.opts.config)(req.params.name);
        // One attempt per integration, no retries: the answer says at once whether the receiver works.
        const results = await Promise.all(
          integrations.map(async (i) => {
            try {
              const report = await i.notify(data, AbortSignal.timeout(Math.max(timeoutMs, i.timeoutMs ?? 0) + 1000), {
                timeoutMs,
              });
              return {
                type: i.type,
                index: i.index,
                target: i.target,
                ok: true,
                ...(report?.status ? { status: report.status } : {}),
              };
            } catch (err) {
              const status = err instanceof NotifyError ? err.details.status : undefined;
              return {
                type: i.type,
                index: i.index,
                target: i.target,
                ok: false,
                error: (err as Error).message,
                ...(status ? { status } : {}),
              };
            }
          }),
        );
        return { results };
      },
    );
  };
}

function safe(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (err) {
    return { error: (err as Error).message };
  }
}
