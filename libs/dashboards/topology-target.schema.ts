import { z } from 'zod';

/** Where a topology comes from: the span store, Istio's metrics, the Collector's servicegraph connector. */
export const TOPOLOGY_SOURCES = ['spans', 'istio', 'servicegraph'] as const;

/**
 * The service topology (`GET /v1/topology`) for topology panels: its sources and cluster/namespace filters.
 * `cluster` and `namespace` may be variables (`$cluster`); a multi-value selection shows the calls with an
 * end in any selected cluster (namespace), and "All" drops the filter, as in record-target filters.
 */
export const topologyTargetSchema = z
  .object({
    datasource: z.literal('topology'),
    refId: z.string().optional(),
    /** Default: all three, as `/v1/topology` reads them. */
    sources: z
      .array(z.enum(TOPOLOGY_SOURCES))
      .min(1, 'at least one of spans, istio, servicegraph')
      .refine((s) => new Set(s).size === s.length, 'each source once')
      .optional(),
    /** Only calls with an end in this cluster (namespace). */
    cluster: z.string().trim().min(1).max(256).optional(),
    namespace: z.string().trim().min(1).max(256).optional(),
    hide: z.boolean().optional(),
  })
  .strict();

export type TopologyTarget = z.output<typeof topologyTargetSchema>;

/** A topology panel draws one graph: exactly one topology target, and topology targets only there. */
export function checkTopologyTargets(
  p: { type: string; targets: { datasource?: string | undefined }[] },
  ctx: z.RefinementCtx,
): void {
  const topology = p.targets.filter((t) => t.datasource === 'topology').length;
  if (p.type === 'topology' && (topology !== 1 || p.targets.length !== 1))
    ctx.addIssue({
      code: 'custom',
      path: ['targets'],
      message: 'a topology panel has exactly one target, of datasource topology',
    });
  if (p.type !== 'topology')
    p.targets.forEach((t, i) => {
      if (t.datasource === 'topology')
        ctx.addIssue({
          code: 'custom',
          path: ['targets', i, 'datasource'],
          message: 'topology targets belong on topology panels',
        });
    });
}
