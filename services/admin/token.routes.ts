import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ApiTokenStore } from '../../libs/auth/api-token.store.ts';
import { ConflictError } from '../../libs/errors/errors.ts';
import { createTokenBody, createdToken, pageQuery, tokenIdParams, tokenInfo, tokenList } from './admin.schemas.ts';

const admin = { access: { role: 'admin' as const } };

/** /v1/admin/tokens: create (the secret is returned once), list (no secrets), revoke. Admin only. */
export function tokenRoutes(opts: {
  tokens: ApiTokenStore;
  configuredName: (name: string) => boolean;
}): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();

    app.post(
      '/v1/admin/tokens',
      {
        config: admin,
        schema: {
          summary: 'Create an API token',
          tags: ['admin'],
          body: createTokenBody,
          response: { 201: createdToken },
        },
      },
      async (req, reply) => {
        const { name, role, scope, expiresAt } = req.body;
        if (opts.configuredName(name))
          throw new ConflictError(`"${name}" is a token from the configuration: pick another name`);
        const at = typeof expiresAt === 'string' ? Date.parse(expiresAt) : expiresAt;
        const { token, info } = await opts.tokens.create({ name, role, scope, expiresAt: at }, req.principal.name);
        return reply.code(201).send({ ...info, token });
      },
    );

    app.get(
      '/v1/admin/tokens',
      {
        config: admin,
        schema: {
          summary: 'List API tokens created through this API (no secrets)',
          tags: ['admin'],
          querystring: pageQuery,
          response: { 200: tokenList },
        },
      },
      async (req) => opts.tokens.list({ limit: req.query.limit, after: req.query.cursor }),
    );

    app.delete(
      '/v1/admin/tokens/:id',
      {
        config: admin,
        schema: {
          summary: 'Revoke an API token',
          tags: ['admin'],
          params: tokenIdParams,
          response: { 200: tokenInfo },
        },
      },
      async (req) => opts.tokens.revoke(req.params.id),
    );
  };
}
