import { z } from 'zod';
import { tryParseDuration as parseDuration } from '../../../libs/time/duration.ts';

/**
 * Prometheus rule-file format (https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/),
 * the one contract for rule files, the API and the OpenAPI document. Unknown keys are refused, as Prometheus's
 * strict YAML decoding does, so a typo (`anotations`) is reported rather than ignored.
 */
const duration = z
  .string()
  .refine((s) => parseDuration(s) !== undefined, 'must be a Prometheus duration such as 30s, 5m, 1h30m');
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const labelMap = z.record(
  z.string().regex(LABEL_NAME, 'label names are letters, digits and _, not starting with a digit'),
  z.string(),
);

export const ruleSchema = z
  .object({
    alert: z.string().min(1).optional(),
    record: z
      .string()
      .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must be a valid metric name')
      .optional(),
    expr: z.union([z.string(), z.number().transform(String)]).pipe(z.string().trim().min(1, 'expr is required')),
    for: duration.optional(),
    keep_firing_for: duration.optional(),
    labels: labelMap.optional(),
    annotations: labelMap.optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (Boolean(r.alert) === Boolean(r.record))
      ctx.addIssue({ code: 'custom', path: ['alert'], message: 'give exactly one of alert or record' });
    if (r.record) {
      for (const key of ['for', 'keep_firing_for', 'annotations'] as const) {
        if (r[key] !== undefined)
          ctx.addIssue({ code: 'custom', path: [key], message: `${key} is only for alerting rules` });
      }
    }
  });

export const ruleGroupSchema = z
  .object({
    name: z.string().min(1, 'group name is required').max(200),
    interval: duration.optional(),
    limit: z.number().int().min(0).optional(),
    rules: z.array(ruleSchema).default([]),
  })
  .strict();

export const ruleFileSchema = z
  .object({ groups: z.array(ruleGroupSchema) })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.groups.forEach((g, i) => {
      if (seen.has(g.name))
        ctx.addIssue({ code: 'custom', path: ['groups', i, 'name'], message: `duplicate group name "${g.name}"` });
      seen.add(g.name);
    });
  });

/** A PrometheusRule custom resource (monitoring.coreos.com/v1); only `spec.groups` matters here. */
export const prometheusRuleSchema = z
  .object({
    apiVersion: z.string(),
    kind: z.literal('PrometheusRule'),
    metadata: z.object({ name: z.string().optional() }).loose().optional(),
    spec: z.object({ groups: z.array(ruleGroupSchema) }).loose(),
  })
  .loose();

export type RuleSpec = z.infer<typeof ruleSchema>;
export type RuleGroupSpec = z.infer<typeof ruleGroupSchema>;
