import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ForbiddenError, InputError, NotFoundError } from '../../../libs/errors/errors.ts';
import { isFullScope } from '../../../libs/tenancy/promql-scope.ts';
import type { AlertingModule } from '../alerting.module.ts';
import { backtest } from '../engine/backtest.ts';
import { tryParseDuration as parseDuration } from '../../../libs/promql/literals.ts';
import { ruleGroupSchema } from '../rules/rule.schema.ts';
import { requireFullScope } from './alerts.routes.ts';
import { timeParam } from './api-schemas.ts';

const nameParams = z.object({ name: z.string().min(1) });

const backtestBody = z
  .object({
    /** A group to try (not saved) … */
    group: ruleGroupSchema.optional(),
    /** … or the id/name of an existing group. */
    name: z.string().optional(),
    start: timeParam,
    end: timeParam,
    step: z.string().optional(),
  })
  .strict();

/** /v1/alert-rules: rule groups from files (read-only) and the API, with their evaluation state; backtesting. */
export function rulesRoutes(getModule: () => Promise<AlertingModule>): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/v1/alert-rules',
      { schema: { tags: ['alerting'], summary: 'List rule groups with rule health and active alerts' } },
      async (req) => {
        const m = await getModule();
        // Rule groups are global (only unrestricted tokens change them) and their queries read every
        // namespace, so a restricted caller sees none of them (docs/security.md, Scoped objects).
        if (!isFullScope(req.principal.scope)) return { groups: [], fileProblems: [] };
        const states = m.engine.ruleStates();
        const groups = m.catalog.views().map((v) => {
          const compiled = m.catalog.groups().find((g) => g.id === v.id);
          return {
            ...v,
            rules: (compiled?.rules ?? []).map((r) => {
              const s = states.get(r.key);
              return {
                type: r.type,
                name: r.name,
                expr: r.expr,
                ...(r.type === 'alert' ? { source: r.source } : { evaluated: false }),
                health: s?.health ?? 'unknown',
                ...(s?.lastError ? { lastError: s.lastError } : {}),
                clusterErrors: s?.clusterErrors ?? {},
                ...(s?.lastEvaluation
                  ? { lastEvaluation: new Date(s.lastEvaluation).toISOString(), evaluationMs: s.evaluationMs }
                  : {}),
                activeAlerts: s?.alerts.filter((a) => a.state !== 'inactive').length ?? 0,
              };
            }),
          };
        });
        return { groups, fileProblems: m.catalog.fileProblems() };
      },
    );

    app.get('/v1/alert-rules/:name', { schema: { tags: ['alerting'], params: nameParams } }, async (req) => {
      if (!isFullScope(req.principal.scope)) throw new NotFoundError(`rule group "${req.params.name}" not found`);
      return (await getModule()).catalog.view(req.params.name);
    });

    app.addHook('preHandler', async (req) => {
      if (req.method !== 'GET') requireFullScope(req);
    });

    app.post(
      '/v1/alert-rules',
      { schema: { tags: ['alerting'], summary: 'Create a rule group', body: ruleGroupSchema } },
      async (req, reply) => {
        const view = await (await getModule()).catalog.create(req.body);
        return reply.code(201).send(view);
      },
    );

    app.put(
      '/v1/alert-rules/:name',
      {
        schema: {
          tags: ['alerting'],
          summary: 'Replace a rule group',
          params: nameParams,
          querystring: z.object({ version: z.coerce.number().int().min(1).optional() }),
          body: ruleGroupSchema,
        },
      },
      async (req) => {
        const m = await getModule();
        const { view, replaced } = await m.catalog.update(req.params.name, req.body, req.query.version);
        const kept = new Set(m.catalog.groups().flatMap((g) => g.rules.map((r) => r.key)));
        if (replaced) await m.engine.forget(replaced.rules.map((r) => r.key).filter((k) => !kept.has(k)));
        return view;
      },
    );

    app.delete('/v1/alert-rules/:name', { schema: { tags: ['alerting'], params: nameParams } }, async (req, reply) => {
      const m = await getModule();
      const removed = await m.catalog.remove(req.params.name);
      if (removed) await m.engine.forget(removed.rules.map((r) => r.key));
      return reply.code(204).send();
    });

    app.post(
      '/v1/alert-rules/backtest',
      {
        schema: {
          tags: ['alerting'],
          summary: 'Evaluate a rule group over a past range, without notifying',
          body: backtestBody,
        },
      },
      async (req) => {
        // Issue 8: rule expressions are not scoped yet, so a backtest would read outside a restricted scope.
        if (!isFullScope(req.principal.scope))
          throw new ForbiddenError(
            'backtesting needs a token with an unrestricted scope (clusters and namespaces "*")',
          );
        const m = await getModule();
        const { group, name, start, end, step } = req.body;
        if (Boolean(group) === Boolean(name))
          throw new InputError('give exactly one of group (inline) or name (an existing group)', [
            { path: 'body.group', message: 'or name' },
          ]);
        if (end < start)
          throw new InputError('end is before start', [{ path: 'body.end', message: 'must not be before start' }]);
        const stepMs = step === undefined ? undefined : parseDuration(step);
        if (stepMs === 0 || (step !== undefined && stepMs === undefined))
          throw new InputError('step must be a positive Prometheus duration', [
            { path: 'body.step', message: 'invalid duration' },
          ]);
        const compiled = group
          ? m.catalog.validate(group)
          : m.catalog.groups().find((g) => g.id === name || (g.source.type === 'api' && g.name === name));
        if (!compiled)
          throw new InputError(`rule group "${name}" not found`, [{ path: 'body.name', message: 'unknown group' }]);
        const out = await backtest(compiled, { start, end, ...(stepMs ? { stepMs } : {}) }, m.opts.sources, {
          resolvedRetentionMs: parseDuration(m.opts.config.evaluation.resolvedRetention) as number,
          externalUrl: m.opts.externalUrl,
          signal: req.clientSignal,
        });
        return out;
      },
    );
  };
}
