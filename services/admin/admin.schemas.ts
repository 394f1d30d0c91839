import { z } from 'zod';
import { tokenScopeSchema } from '../../libs/auth/api-token.store.ts';
import { roleSchema } from '../../libs/config/config.schema.ts';

/** The admin API contract: token management and Pharos's own audit trail. */

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}$/;
const MAX_TIME = 8.64e15; // the largest time a JavaScript Date can hold

/** Epoch milliseconds or an RFC 3339 timestamp. */
export const timeParam = z.union([
  z.coerce.number().int().min(0).max(MAX_TIME),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

export const createTokenBody = z
  .object({
    name: z.string().regex(NAME, 'letters, digits and _ . : @ -, at most 100, starting with a letter or digit'),
    role: roleSchema,
    scope: tokenScopeSchema
      .prefault({})
      .describe('Clusters and namespaces the token may see; `*` means all. Default: all.'),
    expiresAt: z
      .union([z.number().int().positive().max(MAX_TIME), z.iso.datetime({ offset: true })])
      .optional()
      .describe('Epoch ms or RFC 3339; the token stops working then.'),
  })
  .strict();

export const tokenInfo = z.object({
  id: z.string(),
  name: z.string(),
  role: roleSchema,
  scope: z.object({ clusters: z.array(z.string()), namespaces: z.array(z.string()) }),
  createdAt: z.number(),
  createdBy: z.string(),
  expiresAt: z.number().optional(),
});

export const createdToken = tokenInfo.extend({
  token: z.string().describe('The secret: shown once, stored only as a SHA-256 hash.'),
});

export const pageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z.string().max(2048).optional(),
  })
  .strict();

export const tokenList = z.object({ items: z.array(tokenInfo), next: z.string().nullable() });

export const tokenIdParams = z.object({
  id: z.string().regex(/^tok_[A-Za-z0-9_-]{1,64}$/, 'a token id such as tok_AbC123'),
});

export const auditQuery = pageQuery
  .extend({
    principal: z.string().min(1).max(200).optional(),
    role: z.enum(['admin', 'editor', 'viewer', 'ingest', 'none']).optional(),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).optional(),
    route: z.string().min(1).max(500).optional().describe('Route pattern as registered, e.g. /v1/admin/tokens/:id'),
    outcome: z.enum(['allowed', 'denied', 'rejected', 'failed']).optional(),
    since: timeParam.optional(),
    until: timeParam.optional(),
    order: z.enum(['asc', 'desc']).default('desc'),
  })
  .strict();

export const auditEntry = z.object({
  time: z.number(),
  principal: z.string(),
  via: z.string(),
  role: z.string(),
  scope: z.object({ clusters: z.array(z.string()), namespaces: z.array(z.string()) }),
  method: z.string(),
  route: z.string(),
  status: z.number(),
  outcome: z.string(),
  durationMs: z.number(),
  requestId: z.string(),
});

export const auditPage = z.object({ items: z.array(auditEntry), next: z.string().nullable() });
