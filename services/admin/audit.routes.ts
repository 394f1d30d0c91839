import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { SelfAuditLog } from '../../libs/auth/self-audit.log.ts';
import { InputError } from '../../libs/errors/errors.ts';
import { auditPage, auditQuery } from './admin.schemas.ts';

/** GET /v1/admin/audit: Pharos's own audit trail, newest first by default. Admin only. */
export function selfAuditRoutes(opts: { audit: SelfAuditLog }): FastifyPluginAsync {
  return async (fastify) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/v1/admin/audit',
      {
        config: { access: { role: 'admin' } },
        schema: {
          summary: 'Who called Pharos, with what scope and result',
          tags: ['admin'],
          querystring: auditQuery,
          response: { 200: auditPage },
        },
      },
      async (req) => {
        const q = req.query;
        if (q.since !== undefined && q.until !== undefined && q.since >= q.until)
          throw new InputError('since must be before until');
        return opts.audit.query({ ...q, cursor: q.cursor });
      },
    );
  };
}
