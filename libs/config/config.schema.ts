import { z } from 'zod';
import { alertingConfigSchema } from './sections/alerting.ts';
import { jwtConfigSchema, rateLimitConfigSchema, selfAuditConfigSchema } from './sections/auth.ts';
import { dashboardsConfigSchema } from './sections/dashboards.ts';
import { federationConfigSchema } from './sections/federation.ts';
import { indexerConfigSchema } from './sections/indexer.ts';
import { elasticsearchIntakeConfigSchema, lokiIntakeConfigSchema } from './sections/intakes.ts';
import { tailConfigSchema } from './sections/tail.ts';

/**
 * The configuration contract. Keys named in the issues (server.*, storage.*, bus.*, collector.cluster,
 * clusters, auth.tokens) are public: add keys, never rename. Every default lives here.
 */
/**
 * HTTP server limits (server.*), also the defaults of buildApp for apps built without a config. 60 s for a
 * whole request leaves room for a 16 MiB body at about 2 Mbit/s; 10 s is ample for headers, which a
 * client sends at once.
 */
export const HTTP_DEFAULTS = { requestTimeoutMs: 60_000, headersTimeoutMs: 10_000, maxHeaderBytes: 16 * 1024 } as const;

/**
 * An empty list would be a token that grants nothing (docs/security.md, Scope): refused at boot, so a
 * typo cannot leave a token that looks configured but is refused on every API (or, as once on the
 * records API, sees everything).
 */
const EMPTY_SCOPE = 'an empty list grants nothing: list the values, use ["*"] for all, or remove the token';
const scopeSchema = z
  .object({
    clusters: z.array(z.string().min(1)).min(1, EMPTY_SCOPE).default(['*']),
    namespaces: z.array(z.string().min(1)).min(1, EMPTY_SCOPE).default(['*']),
  })
  .strict();

export const roleSchema = z.enum(['admin', 'editor', 'viewer', 'ingest']);

const tokenSchema = z
  .object({
    name: z.string().min(1),
    token: z.string().min(16, 'tokens must be at least 16 characters').optional(),
    tokenSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters')
      .optional(),
    /** A file holding the token, so secrets need not sit in the config file. */
    tokenFile: z.string().min(1).optional(),
    role: roleSchema,
    scope: scopeSchema.optional(),
  })
  .strict()
  .refine((t) => [t.token, t.tokenSha256, t.tokenFile].filter(Boolean).length === 1, {
    message: 'give exactly one of token, tokenSha256 or tokenFile',
  });

const storageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('sqlite'), path: z.string().min(1).default('data/pharos.db') }).strict(),
  z
    .object({
      type: z.literal('opensearch'),
      url: z.url(),
      indexPrefix: z
        .string()
        .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, _ and -')
        .default('pharos'),
      username: z.string().optional(),
      password: z.string().optional(),
      requestTimeoutMs: z.number().int().positive().default(30_000),
      /** Shards/replicas for the index templates Pharos installs. */
      shards: z.number().int().positive().default(1),
      replicas: z.number().int().min(0).default(0),
    })
    .strict(),
]);

const busSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('sqlite'),
      /** Default `<dataDir>/bus.db`. */
      path: z.string().min(1).optional(),
      /**
       * full: each acknowledged batch is synced to disk (survives power loss); normal: survives a crash of Pharos only.
       */
      synchronous: z.enum(['full', 'normal']).default('full'),
      /** Unconsumed bytes the bus may hold; over it the intakes answer 503. */
      maxBacklogBytes: z
        .number()
        .int()
        .positive()
        .default(2 ** 30),
    })
    .strict(),
  z.object({ type: z.literal('memory') }).strict(),
  z
    .object({
      type: z.literal('kafka'),
      brokers: z.array(z.string().min(1)).min(1),
      topicPrefix: z
        .string()
        .regex(/^[a-zA-Z0-9._-]+$/)
        .default('pharos'),
      clientId: z.string().default('pharos'),
      partitions: z.number().int().positive().default(6),
      replicationFactor: z.number().int().positive().default(1),
    })
    .strict(),
]);

const clusterSchema = z
  .object({
    name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'letters, digits, _ . -'),
    prometheus: z
      .object({
        url: z.url(),
        /** HA replicas holding the same data; answers are deduplicated by replicaLabel. */
        replicas: z.array(z.url()).default([]),
        replicaLabel: z.string().default('replica'),
        timeoutMs: z.number().int().positive().default(30_000),
        bearerToken: z.string().optional(),
      })
      .strict(),
  })
  .strict();

const retentionSchema = z
  .object({
    logs: z.number().int().positive().default(7),
    events: z.number().int().positive().default(30),
    audit: z.number().int().positive().default(90),
    /** Trace spans (issue 22; docs/traces.md). */
    spans: z.number().int().positive().default(7),
    /** Per-cluster overrides: { clusterName: { logs: 3 } }. */
    clusters: z
      .record(
        z.string(),
        z
          .object({
            logs: z.number().int().positive().optional(),
            events: z.number().int().positive().optional(),
            audit: z.number().int().positive().optional(),
            spans: z.number().int().positive().optional(),
          })
          .strict(),
      )
      .default({}),
    schedule: z.string().default('15 3 * * *'),
  })
  .strict();

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        bodyLimitBytes: z
          .number()
          .int()
          .positive()
          .default(16 * 1024 * 1024),
        publicUrl: z.url().optional(),
        /** Whole request (headers and body) must arrive within this; else 408 and the connection is closed. */
        requestTimeoutMs: z.number().int().positive().default(HTTP_DEFAULTS.requestTimeoutMs),
        /** Request line and headers must arrive within this (slowloris); at most requestTimeoutMs. */
        headersTimeoutMs: z.number().int().positive().default(HTTP_DEFAULTS.headersTimeoutMs),
        /** Request line plus headers; over it 431. Node's own default (--max-http-header-size). */
        maxHeaderBytes: z
          .number()
          .int()
          .min(1024)
          .max(1024 * 1024)
          .default(HTTP_DEFAULTS.maxHeaderBytes),
      })
      .strict()
      .refine((s) => s.headersTimeoutMs <= s.requestTimeoutMs, {
        path: ['headersTimeoutMs'],
        message: 'must not be over server.requestTimeoutMs',
      })
      .prefault({}),
    dataDir: z.string().default('data'),
    log: z
      .object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') })
      .strict()
      .prefault({}),
    storage: storageSchema.default({ type: 'sqlite', path: 'data/pharos.db' }),
    bus: busSchema.prefault({ type: 'sqlite' }),
    collector: z
      .object({
        cluster: z
          .string()
          .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/)
          .default('local'),
        kubernetes: z
          .object({
            enabled: z.boolean().default(false),
            kubeconfig: z.string().optional(),
            inCluster: z.boolean().default(false),
          })
          .strict()
          .prefault({}),
        /** Bound on records held in memory waiting for the bus; over it the intake answers 503. */
        maxInFlight: z.number().int().positive().default(20_000),
        /** The agent-protocol intakes (docs/ingest.md); OTLP needs no settings. */
        loki: lokiIntakeConfigSchema,
        elasticsearch: elasticsearchIntakeConfigSchema,
      })
      .strict()
      .prefault({}),
    shutdown: z
      .object({
        /**
         * SIGTERM/SIGINT: how long in-flight requests and batches may take to finish before the process exits anyway.
         */
        graceMs: z.number().int().positive().default(30_000),
      })
      .strict()
      .prefault({}),
    clusters: z.array(clusterSchema).default([]),
    auth: z
      .object({
        tokens: z.array(tokenSchema).default([]),
        jwt: jwtConfigSchema.optional(),
        rateLimit: rateLimitConfigSchema,
        audit: selfAuditConfigSchema,
      })
      .strict()
      .prefault({}),
    query: z
      .object({
        maxRangeDays: z.number().positive().default(31),
        maxPageSize: z.number().int().positive().default(1000),
        defaultPageSize: z.number().int().positive().default(100),
        timeoutMs: z.number().int().positive().default(30_000),
        /** Live tail (GET /v1/{kind}/tail, Server-Sent Events): docs/console.md. */
        tail: tailConfigSchema,
      })
      .strict()
      .prefault({}),
    retention: retentionSchema.prefault({}),
    indexer: indexerConfigSchema,
    federation: federationConfigSchema,
    alerting: alertingConfigSchema,
    dashboards: dashboardsConfigSchema,
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.clusters.forEach((cl, i) => {
      if (seen.has(cl.name))
        ctx.addIssue({ code: 'custom', path: ['clusters', i, 'name'], message: `duplicate cluster name "${cl.name}"` });
      seen.add(cl.name);
    });
  });

export type PharosConfig = z.infer<typeof configSchema>;
export type TokenConfig = PharosConfig['auth']['tokens'][number];
export type Role = z.infer<typeof roleSchema>;
