import { z } from 'zod';

/**
 * Additions to the `auth` section owned by the tenancy feature: JWT verification, the per-token rate
 * limit and Pharos's own audit trail. Documented in docs/security.md.
 */

/** JWT (RFC 7519) verification. Exactly one key source; the claim names map a token to a role and scope. */
export const jwtConfigSchema = z
  .object({
    issuer: z.string().min(1),
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    algorithms: z
      .array(z.enum(['HS256', 'RS256']))
      .min(1)
      .default(['RS256']),
    /** Shared HS256 secret (at least 32 bytes, RFC 7518 §3.2). */
    secret: z.string().min(32, 'an HS256 secret must be at least 32 characters').optional(),
    secretFile: z.string().min(1).optional(),
    /** PEM public key (SPKI) or X.509 certificate for RS256. */
    publicKeyFile: z.string().min(1).optional(),
    /** A JWKS document ({ "keys": [...] }) on disk; the token's `kid` picks the key. */
    jwksFile: z.string().min(1).optional(),
    /** Claim holding the role: a string, or a list from which the most privileged known role is taken. */
    rolesClaim: z.string().min(1).default('pharos_role'),
    /** Claim holding the scope: { clusters: [...], namespaces: [...] } (each a list or a string). */
    scopeClaim: z.string().min(1).default('pharos_scope'),
    /** Claim naming the caller in the audit trail and the rate limiter. */
    nameClaim: z.string().min(1).default('sub'),
    clockToleranceSec: z.number().int().min(0).max(300).default(30),
  })
  .strict()
  .refine((j) => [j.secret, j.secretFile, j.publicKeyFile, j.jwksFile].filter(Boolean).length === 1, {
    message: 'give exactly one of secret, secretFile, publicKeyFile or jwksFile',
  })
  .refine((j) => !(j.secret || j.secretFile) || j.algorithms.includes('HS256'), {
    message: 'a secret needs HS256 in algorithms',
  })
  .refine((j) => !(j.publicKeyFile || j.jwksFile) || j.algorithms.includes('RS256'), {
    message: 'a public key or JWKS needs RS256 in algorithms',
  });

/** Token bucket per principal: `burst` requests at once, refilled at `perSecond`. perSecond 0 turns it off. */
export const rateLimitConfigSchema = z
  .object({
    perSecond: z.number().min(0).default(200),
    burst: z.number().int().positive().default(400),
  })
  .strict()
  .prefault({});

/** Pharos's own audit trail (who called what, with what scope and result). */
export const selfAuditConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    retentionDays: z.number().int().positive().default(30),
    /** Entries held in memory waiting to be written; over it the oldest are dropped (and counted). */
    bufferSize: z.number().int().positive().default(10_000),
  })
  .strict()
  .prefault({});

export type JwtConfig = z.infer<typeof jwtConfigSchema>;
export type RateLimitConfig = z.infer<typeof rateLimitConfigSchema>;
export type SelfAuditConfig = z.infer<typeof selfAuditConfigSchema>;
