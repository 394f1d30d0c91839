import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AlertingServices } from '../service/alerting-services.ts';
import { labelsSchema, pageParams } from './api-schemas.ts';
import { requireFullScope } from './request-scope.ts';

type Services = () => Promise<AlertingServices>;

const notificationsQuery = z.object({
  receiver: z.string().optional(),
  result: z.enum(['sent', 'failed', 'muted', 'retrying']).optional(),
  status: z.enum(['firing', 'resolved']).optional(),
  ...pageParams,
});

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

const previewSchema = {
  tags: ['alerting'],
  params: z.object({ name: z.string() }),
  body: z.object({ alerts: sampleAlerts.optional() }).strict().default({}),
};

// A POST without a body (curl -X POST) reaches validation as null, which the default does not cover.
const emptyBody = { preValidation: async (req: { body: unknown }) => void (req.body ??= {}) };

/**
 * /v1/notifications, /v1/receivers (with preview and test-send), over ReceiversService. Entries name receivers'
 * addresses and carry whole groups of alerts, and receivers hold the whole organisation's addresses and URLs:
 * unrestricted tokens only.
 */
export function receiversRoutes(getServices: Services): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.addHook('preHandler', async (req) => requireFullScope(req));
    app.get(
      '/v1/notifications',
      {
        schema: {
          tags: ['alerting'],
          summary: 'The notification log: what was sent, to whom, when, with what result',
          querystring: notificationsQuery,
        },
      },
      async (req) => (await getServices()).receivers.notifications(req.query),
    );
    app.get('/v1/receivers', { schema: { tags: ['alerting'] } }, async () => (await getServices()).receivers.list());
    app.post(
      '/v1/receivers/:name/preview',
      { ...emptyBody, schema: { ...previewSchema, summary: 'Render what each integration of a receiver would send' } },
      async (req) => (await getServices()).receivers.preview(req.params.name, req.body.alerts),
    );
    app.post(
      '/v1/receivers/:name/test',
      {
        ...emptyBody,
        schema: { ...previewSchema, summary: 'Send a test notification through every integration of a receiver' },
      },
      async (req) => (await getServices()).receivers.test(req.params.name, req.body.alerts),
    );
  };
}
