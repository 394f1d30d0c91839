import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AlertingServices } from '../service/alerting-services.ts';
import { filterList, filterParam, postableSilenceSchema } from './api-schemas.ts';
import { callerScope } from './request-scope.ts';

/** /v1/silences, over SilencesService (the Alertmanager v2 silences are the same service). */
export function silencesRoutes(getServices: () => Promise<AlertingServices>): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const idParams = z.object({ id: z.string().min(1) });
    const silences = async () => (await getServices()).silences;

    app.get(
      '/v1/silences',
      { schema: { tags: ['alerting'], querystring: z.object({ filter: filterParam }) } },
      async (req) => ({ silences: await (await silences()).list(callerScope(req), filterList(req.query.filter)) }),
    );
    app.get('/v1/silences/:id', { schema: { tags: ['alerting'], params: idParams } }, async (req) =>
      (await silences()).get(callerScope(req), req.params.id),
    );
    app.post(
      '/v1/silences',
      { schema: { tags: ['alerting'], summary: 'Create or update a silence', body: postableSilenceSchema } },
      async (req, reply) => {
        const s = await (await silences()).upsert(callerScope(req), req.body);
        return reply.code(req.body.id ? 200 : 201).send({ silenceID: s.id, silence: s });
      },
    );
    app.delete(
      '/v1/silences/:id',
      { schema: { tags: ['alerting'], summary: 'Expire a silence', params: idParams } },
      async (req, reply) => {
        await (await silences()).expire(callerScope(req), req.params.id);
        return reply.code(204).send();
      },
    );
  };
}
