import { z } from 'zod';
import { timeParam } from '../records/records.schemas.ts';

/** Tempo takes ids of up to 32 hex digits and pads shorter ones with leading zeros. */
export const traceIdParams = z.object({
  traceID: z.string().regex(/^[0-9a-fA-F]{1,32}$/, 'a trace id: up to 32 hex digits'),
});

const unixSeconds = z
  .string()
  .regex(/^\d{1,12}$/, 'Unix seconds')
  .describe("Unix seconds (Tempo's convention)");

export const searchQuerySchema = z.object({
  tags: z
    .string()
    .max(4096)
    .optional()
    .describe(
      'logfmt: service.name=cart http.status_code=500 name="GET /cart"; all on one span; k8s.cluster.name= or cluster= is the stored cluster',
    ),
  service: z
    .string()
    .max(256)
    .optional()
    .describe('Pharos: service.name of a span of the trace (same as tags service.name=…)'),
  spanName: z.string().max(1024).optional().describe('Pharos: name of a span of the trace (same as tags name=…)'),
  minDuration: z
    .string()
    .max(32)
    .optional()
    .describe('trace duration at least this (Go duration: 100ms, 1.5s), cut to whole ms as Tempo does; 0: none'),
  maxDuration: z
    .string()
    .max(32)
    .optional()
    .describe('trace duration at most this, inclusive, cut to whole ms; 0: none; less than minDuration: 400'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .default(20)
    .describe('traces at most (positive); more than 1000 is read as 1000, as Tempo caps at its max_result_limit'),
  start: unixSeconds.optional().describe('default: end minus one hour'),
  end: unixSeconds.optional().describe('default: now'),
  spss: z.coerce.number().int().min(0).max(1000).optional().describe('matched spans listed per trace (default 3)'),
  q: z.string().optional().describe('TraceQL: not supported (400); use tags'),
});

export const tagsQuerySchema = z.object({
  start: unixSeconds.optional(),
  end: unixSeconds.optional(),
  scope: z.string().optional(),
  q: z.string().optional(),
});
export const tagNameParams = z.object({ name: z.string().regex(/^[^"\s=]{1,256}$/, 'a tag name') });

export const topologyQuerySchema = z.object({
  start: timeParam.optional().describe('inclusive start; default: end minus one hour'),
  end: timeParam.optional().describe('exclusive end; default: now'),
  cluster: z.string().max(256).optional().describe('only edges with an end in this cluster'),
  namespace: z.string().max(256).optional().describe('only edges with an end in this namespace'),
  sources: z
    .string()
    .regex(
      /^(spans|istio|servicegraph)(,(spans|istio|servicegraph))*$/,
      'a comma-separated list of spans, istio, servicegraph',
    )
    .optional()
    .describe(
      'where the graph comes from, comma-separated: spans (the span store), istio (istio_requests_total and ' +
        'istio_request_duration_milliseconds through the federation), servicegraph (the Collector servicegraph ' +
        "connector's traces_service_graph_request_*); default all three",
    ),
  format: z
    .enum(['pharos', 'nodegraph'])
    .default('pharos')
    .describe('nodegraph: Grafana Node Graph frames (nodes/edges fields)'),
});

const node = z.object({
  id: z.string(),
  service: z.string(),
  cluster: z.string(),
  namespace: z.string().nullable(),
  requests: z.number().int(),
  errors: z.number().int(),
});
const edge = z.object({
  id: z.string(),
  source: z.string(),
  target: z.string(),
  requests: z.number().int(),
  errors: z.number().int(),
  requestRate: z.number(),
  errorRate: z.number(),
  p50Ms: z.number(),
  p95Ms: z.number(),
  type: z.enum(['request', 'messaging']),
  crossCluster: z.boolean(),
  via: z
    .array(z.enum(['spans', 'istio', 'servicegraph']))
    .optional()
    .describe('the sources that saw this call; counts are from the first of them'),
});
export const topologyResponseSchema = z.object({
  start: z.number().int().describe('epoch ms'),
  end: z.number().int(),
  spans: z.number().int().describe('spans behind the span edges: two per call (client and server)'),
  partial: z
    .boolean()
    .describe(
      'more service pairs in the window than one topology answers (10,000), or a mesh source or cluster did not answer',
    ),
  warnings: z.array(z.string()).optional().describe('why the answer may miss edges (a mesh source or cluster failed)'),
  nodes: z.array(node),
  edges: z.array(edge),
});

const frame = z.object({
  name: z.string(),
  meta: z.object({ preferredVisualisationType: z.string() }),
  fields: z.array(
    z.object({
      name: z.string(),
      type: z.enum(['string', 'number']),
      values: z.array(z.union([z.string(), z.number()])),
      config: z.object({ displayName: z.string() }).optional(),
    }),
  ),
});
export const nodeGraphResponseSchema = z
  .object({ start: z.number().int(), end: z.number().int(), nodes: frame, edges: frame })
  .describe('format=nodegraph');
