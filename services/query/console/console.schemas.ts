import { z } from 'zod';
import { RECORD_KINDS } from '../../../libs/schemas/records.ts';

/** GET /v1/me: who the presented credentials are, so the console can say what it shows and why. */
export const meResponseSchema = z.object({
  name: z.string(),
  role: z.enum(['admin', 'editor', 'viewer', 'ingest']),
  via: z.enum(['token', 'jwt', 'anonymous']),
  scope: z.object({ clusters: z.array(z.string()), namespaces: z.array(z.string()) }),
  restricted: z.boolean().describe('true when the scope does not cover every cluster and namespace'),
});

const kindActivity = z.object({
  last24h: z.number().int().describe("records of the last 24 hours, within the caller's scope"),
  perMinute: z.number().describe('records per minute over the last 5 minutes'),
  lastRecordAt: z.number().int().nullable().describe('time of the newest record of the last 24 hours (epoch ms)'),
  lastIngestedAt: z.number().int().nullable().describe('when the collector accepted that record (epoch ms)'),
});

const byKind = <T extends z.ZodType>(t: T) =>
  z.object(Object.fromEntries(RECORD_KINDS.map((k) => [k, t])) as Record<(typeof RECORD_KINDS)[number], T>);

/** GET /v1/clusters. */
export const clustersResponseSchema = z.object({
  generatedAt: z.number().int(),
  clusters: z.array(
    z.object({
      name: z.string(),
      configured: z.boolean().describe('listed in clusters[] of the configuration; otherwise only seen in records'),
      prometheus: z
        .object({
          reachable: z.boolean(),
          version: z.string().optional(),
          responseMs: z.number().int().optional(),
          error: z.string().optional(),
          endpoints: z.number().int(),
          endpointsUp: z.number().int(),
        })
        .nullable(),
      records: byKind(kindActivity),
      collectorLastSeen: z
        .number()
        .int()
        .nullable()
        .describe(
          "newest lastIngestedAt over the kinds: the last record this cluster's collector accepted that is stored",
        ),
    }),
  ),
  indexerLag: byKind(z.number().int().nullable()).describe(
    'bus messages per kind not yet stored by the indexer group (topics are shared by all clusters); null when unknown here',
  ),
  scopeNote: z.string().optional(),
});
