import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AlertingModule } from '../alerting.module.ts';
import { matchesAll, parseMatchers } from '../notify/matchers.ts';
import { silenceState, type Silence } from '../notify/silences.ts';
import { filterParam, timeParam } from './api-schemas.ts';
import { assertSilenceVisible, scopedSilenceInput, silenceVisible } from './silence-scope.ts';

/** Alertmanager v2's postableSilence (api/v2/openapi.yaml); the same body for /v1/silences. */
export const postableSilenceSchema = z.object({
  id: z.string().optional(),
  matchers: z
    .array(
      z.object({
        name: z.string().min(1),
        value: z.string(),
        isRegex: z.boolean(),
        isEqual: z.boolean().default(true),
      }),
    )
    .min(1, 'at least one matcher is required'),
  startsAt: timeParam,
  endsAt: timeParam,
  createdBy: z.string().min(1),
  comment: z.string().default(''),
});

/** Alertmanager v2's gettableSilence. */
export function gettableSilence(s: Silence, now = Date.now()) {
  return {
    id: s.id,
    status: { state: silenceState(s, now) },
    updatedAt: new Date(s.updatedAt).toISOString(),
    matchers: s.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual ?? true })),
    startsAt: new Date(s.startsAt).toISOString(),
    endsAt: new Date(s.endsAt).toISOString(),
    createdBy: s.createdBy,
    comment: s.comment,
  };
}

/**
 * Silences whose matchers all match the filter's labels, as Alertmanager's GET /silences?filter= does, among
 * those the caller's scope lets it see.
 */
export async function listSilences(m: AlertingModule, req: FastifyRequest, filter: string | string[] | undefined) {
  const wanted = parseMatchers(filter === undefined ? [] : Array.isArray(filter) ? filter : [filter]);
  const all = await m.silences.list();
  return all.filter(
    (s) =>
      silenceVisible(req, s) &&
      wanted.every((w) => s.matchers.some((sm) => sm.name === w.name && matchesAll([w], { [w.name]: sm.value }))),
  );
}

/** A silence the caller may see, else 404. */
export async function getSilence(m: AlertingModule, req: FastifyRequest, id: string) {
  return assertSilenceVisible(req, await m.silences.get(id));
}

/**
 * Creates or updates a silence within the caller's scope: updating needs the old one visible, and an
 * unrestricted caller's update keeps the old silence's scope.
 */
export async function upsertSilence(
  m: AlertingModule,
  req: FastifyRequest,
  body: z.infer<typeof postableSilenceSchema>,
) {
  const input = scopedSilenceInput(req, body);
  const old = body.id ? await getSilence(m, req, body.id) : undefined;
  return m.silences.upsert({ ...input, scope: input.scope ?? old?.scope });
}

/** Expires a silence the caller may see, else 404. */
export async function expireSilence(m: AlertingModule, req: FastifyRequest, id: string) {
  await getSilence(m, req, id);
  await m.silences.expire(id);
}

export function silencesRoutes(getModule: () => Promise<AlertingModule>): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const idParams = z.object({ id: z.string().min(1) });

    app.get(
      '/v1/silences',
      { schema: { tags: ['alerting'], querystring: z.object({ filter: filterParam }) } },
      async (req) => {
        const now = Date.now();
        return {
          silences: (await listSilences(await getModule(), req, req.query.filter)).map((s) => gettableSilence(s, now)),
        };
      },
    );

    app.get('/v1/silences/:id', { schema: { tags: ['alerting'], params: idParams } }, async (req) =>
      gettableSilence(await getSilence(await getModule(), req, req.params.id)),
    );

    app.post(
      '/v1/silences',
      { schema: { tags: ['alerting'], summary: 'Create or update a silence', body: postableSilenceSchema } },
      async (req, reply) => {
        const s = await upsertSilence(await getModule(), req, req.body);
        return reply.code(req.body.id ? 200 : 201).send({ silenceID: s.id, silence: gettableSilence(s) });
      },
    );

    app.delete(
      '/v1/silences/:id',
      { schema: { tags: ['alerting'], summary: 'Expire a silence', params: idParams } },
      async (req, reply) => {
        await expireSilence(await getModule(), req, req.params.id);
        return reply.code(204).send();
      },
    );
  };
}
