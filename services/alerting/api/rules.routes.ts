import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ruleGroupSchema } from '../rules/rule.schema.ts';
import type { AlertingServices } from '../service/alerting-services.ts';
import { timeParam } from './api-schemas.ts';
import { callerScope, requireFullScope } from './request-scope.ts';

type Services = () => Promise<AlertingServices>;

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

const replaceSchema = {
  tags: ['alerting'],
  summary: 'Replace a rule group',
  params: nameParams,
  querystring: z.object({ version: z.coerce.number().int().min(1).optional() }),
  body: ruleGroupSchema,
};

/** /v1/alert-rules: rule groups from files (read-only) and the API, with their evaluation state; backtesting. */
export function rulesRoutes(getServices: Services): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/v1/alert-rules',
      { schema: { tags: ['alerting'], summary: 'List rule groups with rule health and active alerts' } },
      async (req) => (await getServices()).rules.list(callerScope(req)),
    );
    app.get('/v1/alert-rules/:name', { schema: { tags: ['alerting'], params: nameParams } }, async (req) =>
      (await getServices()).rules.get(callerScope(req), req.params.name),
    );
    app.addHook('preHandler', async (req) => {
      if (req.method !== 'GET') requireFullScope(req);
    });
    await app.register(ruleChangeRoutes(getServices));
  };
}

/** Creating, replacing, deleting and backtesting rule groups (the caller's scope is checked by the hook above). */
function ruleChangeRoutes(getServices: Services): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.post(
      '/v1/alert-rules',
      { schema: { tags: ['alerting'], summary: 'Create a rule group', body: ruleGroupSchema } },
      async (req, reply) => reply.code(201).send(await (await getServices()).rules.create(req.body)),
    );
    app.put('/v1/alert-rules/:name', { schema: replaceSchema }, async (req) =>
      (await getServices()).rules.replace({ name: req.params.name, spec: req.body, version: req.query.version }),
    );
    app.delete('/v1/alert-rules/:name', { schema: { tags: ['alerting'], params: nameParams } }, async (req, reply) => {
      await (await getServices()).rules.remove(req.params.name);
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
        return (await getServices()).rules.backtest(callerScope(req), { ...req.body, signal: req.clientSignal });
      },
    );
  };
}
